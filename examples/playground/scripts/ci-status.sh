#!/bin/sh
# ci-status.sh VERSION — pretends to ask CI whether VERSION's tests passed (ticks "Tests passed").
# Fails when the version contains "fail-ci".
set -eu
version=${1:?usage: ci-status.sh VERSION}
echo "CI status of $version"
case $version in
*fail-ci*)
  echo "CI: tests failed for $version" >&2
  exit 1
  ;;
esac
echo "CI: all tests passed for $version"
