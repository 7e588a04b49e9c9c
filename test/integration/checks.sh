#!/usr/bin/env bash
# Sourced by the shell integration tests (crds, helm): one PASS/FAIL line per check, counted,
# and the closing "N passed, N failed" line whose status is the test's result.

passed=0
failed=0
pass() {
  passed=$((passed + 1))
  echo "PASS: $*"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*"
}
expect_eq() {  # expect_eq NAME GOT WANT
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}
finish() {  # prints the summary; succeeds only when nothing failed
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
