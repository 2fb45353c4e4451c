#!/usr/bin/env bash
# Builds every package (tsc -b) and copies what tsc does not: the Redis scripts (src/**/*.lua)
# into dist beside the code that loads them. `npm run build`, setup.sh and the Dockerfile call it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx tsc -b tsconfig.build.json
for pkg in $(node -p "require('./package.json').workspaces.join(' ')"); do
  [ -d "$pkg/src" ] || continue
  (cd "$pkg/src" && find . -name '*.lua' -print0) | while IFS= read -r -d '' file; do
    mkdir -p "$pkg/dist/$(dirname "$file")"
    cp "$pkg/src/$file" "$pkg/dist/$file"
  done
done
