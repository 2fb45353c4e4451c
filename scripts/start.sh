#!/usr/bin/env bash
# npm start: set up what is missing, start the local servers and every service; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# Ctrl-C reaches the launcher too; this shell waits for it, then stops the local servers
trap : INT TERM
status=0
node libs/launcher/dist/start.js || status=$?
printf '\n==> stopping local servers\n'
bash infra/local.sh stop
exit $status
