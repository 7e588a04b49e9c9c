#!/usr/bin/env bash
# restart-etcd.sh STATE_DIR: stops etcd, starts it again on the same ports with its data, and
# waits until etcd is healthy and the running kube-apiserver is ready again.
set -euo pipefail
(($# == 1)) || {
  echo "usage: $0 STATE_DIR" >&2
  exit 1
}
exec "$(dirname "${BASH_SOURCE[0]}")/component.sh" "$1" etcd restart
