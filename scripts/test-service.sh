#!/usr/bin/env bash
# npm run test:<service>: one service's unit and service specs (the latter on the real local stores).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
service=${1:?usage: test-service.sh user|brand|product|order|payment}
npx jest --selectProjects unit service -- "$PWD/$service/"
