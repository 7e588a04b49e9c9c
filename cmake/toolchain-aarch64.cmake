# Cross-compiling the daemons for arm64 (linux/arm64 image, docs/image.md): Debian's cross
# compiler (g++-aarch64-linux-gnu) against the arm64 sysroot cmake/aarch64-sysroot.sh unpacks.
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake -DIRONLB_SYSROOT=<dir> ...
# (test/build-env.sh's ironlb_build_arm64 does both.)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

if(NOT IRONLB_SYSROOT)
  set(IRONLB_SYSROOT $ENV{IRONLB_SYSROOT})
endif()
if(NOT IS_DIRECTORY "${IRONLB_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "IRONLB_SYSROOT='${IRONLB_SYSROOT}' is not an arm64 sysroot: "
                      "run cmake/aarch64-sysroot.sh and pass the directory it prints")
endif()
set(IRONLB_SYSROOT ${IRONLB_SYSROOT} CACHE PATH "arm64 sysroot (cmake/aarch64-sysroot.sh)")
# try_compile projects see the toolchain file again, without the cache.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES IRONLB_SYSROOT)
set(CMAKE_SYSROOT ${IRONLB_SYSROOT})

# Libraries, headers and CMake/pkg-config packages from the sysroot only; programs from here.
set(CMAKE_FIND_ROOT_PATH ${IRONLB_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${IRONLB_SYSROOT})
set(ENV{PKG_CONFIG_LIBDIR}
    "${IRONLB_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${IRONLB_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
