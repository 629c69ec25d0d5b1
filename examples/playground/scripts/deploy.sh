#!/bin/sh
# deploy.sh SERVICE VERSION [PLAN_SUMMARY] — pretends to roll VERSION of SERVICE out.
# Fails when the plan summary contains "fail-deploy".
set -eu
service=${1:?usage: deploy.sh SERVICE VERSION [PLAN_SUMMARY]}
version=${2:-unknown}
summary=${3:-}
echo "Deploying $service $version (hotfix ${HOTFIX_HOTFIX_ID:-?}, attempt ${HOTFIX_STEP_ATTEMPT:-1})"
sleep 1
case $summary in
*fail-deploy*)
  echo "error: $service did not come up on $version (the plan summary asks for fail-deploy)" >&2
  exit 1
  ;;
esac
echo "3/3 instances of $service now run $version"
