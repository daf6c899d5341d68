#!/usr/bin/env bash
# Runs gofmt, go vet and the race-enabled tests of every module in this repo,
# after the setup it can do itself (npm ci in interop/ when Node is present
# and its packages are missing; npm ci and npm test in js/). Ends with
# every skipped test and why, then
# "N passed, N failed, N skipped". Tests that need an absent tool (Chromium,
# Node, Redis, the Lambda runtime emulator) skip with a message; with
# CI=true they fail instead.
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
  echo "== ./js (npm test)"
  if (cd js && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm test) >"$jslog" 2>&1; then
    grep -E '^# (pass|fail|skipped) ' "$jslog" | tr '\n' ' '; echo
    jsevent pass
  else
    cat "$jslog"; jsevent fail; status=1
  fi
elif [ "${CI:-}" = true ]; then
  echo "npm is not on PATH: js/ cannot be tested (CI=true: it must not be skipped)" >&2; jsevent fail; status=1
else
  jsevent output "npm is not on PATH: the JavaScript package in js/ was not tested; install Node.js 20+"; jsevent skip
fi
for mod in $(find . -name go.mod -not -path '*/node_modules/*' | sort); do
  dir=$(dirname "$mod")
  echo "== $dir"
  (cd "$dir" && go vet ./...) || status=1
  (cd "$dir" && go test -race -count=1 -json ./... >>"$json") || status=1
done
go run ./internal/testreport <"$json" || status=1
exit $status
