#!/usr/bin/env bash
# Runs gofmt, go vet and the race-enabled tests of every module in this repo,
# after the setup it can do itself (npm ci in interop/ when Node is present
# and its packages are missing). Ends with every skipped test and why, then
# "N passed, N failed, N skipped". Tests that need an absent tool (Chromium,
# Node, Redis, the Lambda runtime emulator) skip with a message; with
# CI=true they fail instead. It also checks the exported API against the
# record in api/ (CONTRIBUTING.md says how to accept a change).
set -euo pipefail
cd "$(dirname "$0")"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:" $unformatted >&2
  exit 1
fi

# Node packages for the interop tests, from the committed lockfile.
if command -v npm >/dev/null 2>&1 && [ -f interop/package-lock.json ] && [ ! -d interop/node_modules ]; then
  echo "== npm ci in interop/ (first run only)"
  (cd interop && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: the Express interop tests will skip" >&2
fi

json=$(mktemp)
trap 'rm -f "$json"' EXIT
status=0
# One line per module as it finishes, with its time (the first run also
# downloads each module's dependencies, so it is slower).
mods=$(find . -name go.mod -not -path '*/node_modules/*' | sort)
echo "== go vet and go test -race in $(echo "$mods" | wc -l) modules; each line appears when its module is done"
for mod in $mods; do
  dir=$(dirname "$mod")
  start=$SECONDS
  verdict=ok
  (cd "$dir" && go vet ./...) || verdict=FAIL
  (cd "$dir" && go test -race -count=1 -json ./... >>"$json") || verdict=FAIL
  [ "$verdict" = ok ] || status=1
  printf '%-4s %-14s %4ds\n' "$verdict" "$dir" $((SECONDS - start))
done
echo "== exported API against api/ (go run ./internal/apirecord)"
go run ./internal/apirecord || status=1
go run ./internal/testreport <"$json" || status=1
exit $status
