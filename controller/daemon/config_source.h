#pragma once
// The configuration objects as the informers hold them (API JSON) -> lbconfig::build. An object
// that does not even decode is an error of the whole configuration, like any other (the last
// valid configuration stays in force), reported on that object.

#include <string>

#include "common/k8s/object_store.h"
#include "common/lbconfig/build.h"

namespace ironlb::controller {

lbconfig::BuildResult buildConfig(const k8s::ObjectStore& pools,
                                  const k8s::ObjectStore& advertisements,
                                  const std::string& install_namespace);

}  // namespace ironlb::controller
