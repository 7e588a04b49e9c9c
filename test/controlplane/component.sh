#!/usr/bin/env bash
# component.sh STATE_DIR etcd|kube-apiserver start|stop|restart
# Stops and/or starts one component of a control plane that start.sh set up, with the exact
# command line start.sh saved (same ports, same flags; etcd keeps its data). "start" waits
# until the component is healthy, and after an etcd start also until the apiserver (if
# running) is ready again. Rewrites STATE_DIR/env, whose PIDs change.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage="usage: $0 STATE_DIR etcd|kube-apiserver start|stop|restart"
(($# == 3)) || cp_die "$usage"
[[ -d $1 ]] || cp_die "$1: no such state directory"
state=$(cd "$1" && pwd)
name=$2
action=$3
[[ $name == etcd || $name == kube-apiserver ]] || cp_die "$usage"
[[ $action == start || $action == stop || $action == restart ]] || cp_die "$usage"
[[ -f $state/$name.cmdline && -f $state/ports ]] ||
  cp_die "$state has no $name.cmdline/ports; was it set up by start.sh?"
# shellcheck disable=SC1091
source "$state/ports"
cp_use_state "$state"

running() { [[ -f $state/$1.pid ]] && cp_pid_is_ours "$(<"$state/$1.pid")" "$state"; }

start() {
  running "$name" && cp_die "$name is already running (pid $(<"$state/$name.pid"))"
  cp_spawn "$name" "$state"
  if [[ $name == etcd ]]; then
    cp_wait etcd "$state" cp_etcd_healthy "$ETCD_PORT" ||
      {
        cp_tail_logs "$state"
        cp_die "etcd did not become healthy again"
      }
  fi
  if [[ $name == kube-apiserver ]] || running kube-apiserver; then
    cp_wait kube-apiserver "$state" cp_apiserver_ready "$state" "$APISERVER_PORT" ||
      {
        cp_tail_logs "$state"
        cp_die "kube-apiserver did not become ready again"
      }
  fi
}

case $action in
  stop) cp_stop_pid "$name" "$state" ;;
  start) start ;;
  restart)
    cp_stop_pid "$name" "$state"
    start
    ;;
esac
cp_write_env "$state"
