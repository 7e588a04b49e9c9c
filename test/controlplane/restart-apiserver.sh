#!/usr/bin/env bash
# restart-apiserver.sh STATE_DIR: stops kube-apiserver, starts it again on the same port with
# the same flags and waits for /readyz. etcd and its data are untouched.
set -euo pipefail
(($# == 1)) || {
  echo "usage: $0 STATE_DIR" >&2
  exit 1
}
exec "$(dirname "${BASH_SOURCE[0]}")/component.sh" "$1" kube-apiserver restart
