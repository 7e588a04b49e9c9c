#!/usr/bin/env bash
# stop.sh STATE_DIR [--purge]: stops kube-apiserver then etcd (SIGTERM, SIGKILL after
# IRONLB_STOP_TIMEOUT seconds, default 30) and removes etcd's data. Logs and credentials stay
# for post-mortems unless --purge is given, which removes STATE_DIR entirely. Safe to call
# twice, on a half-started state, or on a directory start.sh never used.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($# >= 1 && $# <= 2)) || cp_die "usage: $0 STATE_DIR [--purge]"
purge=0
if (($# == 2)); then
  [[ $2 == --purge ]] || cp_die "usage: $0 STATE_DIR [--purge]"
  purge=1
fi
if [[ ! -d $1 ]]; then
  exit 0
fi
state=$(cd "$1" && pwd)

cp_stop_pid kube-apiserver "$state"
cp_stop_pid etcd "$state"
rm -rf "$state/etcd-data"
if ((purge)); then
  rm -rf "$state"
fi
