#!/bin/sh
# restart.sh SERVICE — pretends to restart SERVICE.
set -eu
service=${1:?usage: restart.sh SERVICE}
echo "Restarting $service"
sleep 1
echo "$service restarted"
