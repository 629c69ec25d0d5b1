#!/bin/sh
# rollback.sh SERVICE PREVIOUS_VERSION [PLAN_SUMMARY] — pretends to put PREVIOUS_VERSION back.
# Fails when the plan summary contains "fail-rollback".
set -eu
service=${1:?usage: rollback.sh SERVICE PREVIOUS_VERSION [PLAN_SUMMARY]}
previous=${2:-}
summary=${3:-}
echo "Rolling $service back to ${previous:-the previous release}"
sleep 1
case $summary in
*fail-rollback*)
  echo "error: ${previous:-the previous release} of $service is gone from the registry (fail-rollback)" >&2
  exit 1
  ;;
esac
echo "$service runs ${previous:-the previous release} again"
