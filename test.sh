#!/usr/bin/env bash
# Runs gofmt, go vet and the race-enabled tests of every module in this repo,
# after the setup it can do itself (npm ci in interop/ when Node is present
# and its packages are missing; npm ci and npm test in js/). Ends with
# every skipped test and why, then
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
jslog=$(mktemp)
trap 'rm -f "$json" "$jslog"' EXIT
status=0

# The JavaScript package: npm ci (first run only) and npm test in js/,
# which also builds what the cross-language tests in interop/ run. It is
# counted as one test "js npm test" in the closing report.
jsevent() { printf '{"Action":"%s","Package":"js","Test":"npm test"%s}\n' "$1" "${2:+,\"Output\":\"$2\\n\"}" >>"$json"; }
if command -v npm >/dev/null 2>&1; then
  start=$SECONDS
  if (cd js && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm test) >"$jslog" 2>&1; then
    printf '%-4s %-14s %4ds  %s\n' ok ./js $((SECONDS - start)) "$(grep -E '^# (pass|fail|skipped) ' "$jslog" | tr '\n' ' ')"
    jsevent pass
  else
    cat "$jslog"; printf '%-4s %-14s %4ds\n' FAIL ./js $((SECONDS - start)); jsevent fail; status=1
  fi
elif [ "${CI:-}" = true ]; then
  echo "npm is not on PATH: js/ cannot be tested (CI=true: it must not be skipped)" >&2; jsevent fail; status=1
else
  jsevent output "npm is not on PATH: the JavaScript package in js/ was not tested; install Node.js 20+"; jsevent skip
fi
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
