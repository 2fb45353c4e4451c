#!/usr/bin/env bash
# Shared by `npm start` and `npm test`: installs what is missing (npm packages, local servers),
# starts the local servers if they are not running, and builds every package.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages"
  npm ci --no-audit --no-fund
fi

step "local servers (MariaDB, Redis x3, Kafka, FerretDB, Mailpit)"
bash infra/local.sh start

step "building"
bash scripts/build.sh
