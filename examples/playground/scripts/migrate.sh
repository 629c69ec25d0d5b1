#!/bin/sh
# migrate.sh VERSION [PLAN_SUMMARY] — pretends to apply the plan's database migrations.
# Fails when the plan summary contains "fail-migrate".
set -eu
version=${1:?usage: migrate.sh VERSION [PLAN_SUMMARY]}
summary=${2:-}
echo "Applying migrations for $version"
sleep 1
case $summary in
*fail-migrate*)
  echo "error: migration 0042 failed: lock timeout (the plan summary asks for fail-migrate)" >&2
  exit 1
  ;;
esac
echo "2 migrations applied"
