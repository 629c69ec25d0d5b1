#!/bin/sh
# verify.sh SERVICE [PLAN_SUMMARY] — pretends to run a function test against SERVICE.
# Fails when the plan summary contains "fail-verify".
set -eu
service=${1:?usage: verify.sh SERVICE [PLAN_SUMMARY]}
summary=${2:-}
echo "Running the smoke tests of $service"
sleep 1
case $summary in
*fail-verify*)
  echo "FAIL checkout total is off by 0.01 (the plan summary asks for fail-verify)" >&2
  exit 1
  ;;
esac
echo "PASS 12 smoke tests of $service"
