#!/bin/sh
# backup.sh SERVICE HOTFIX_ID — pretends to snapshot SERVICE's data before the deploy.
set -eu
service=${1:?usage: backup.sh SERVICE HOTFIX_ID}
hotfix=${2:-?}
echo "Snapshotting the $service database before $hotfix"
sleep 1
echo "snapshot $service-$hotfix taken (42 MB)"
