#!/usr/bin/env bash
# Runs gofmt, go vet and the race-enabled tests of every module in this repo.
# Browser and Node tests skip with a message when Chromium or Node is absent;
# with CI=true they fail instead.
set -euo pipefail
cd "$(dirname "$0")"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path '*/node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:" $unformatted >&2
  exit 1
fi

status=0
for mod in $(find . -name go.mod -not -path '*/node_modules/*' | sort); do
  dir=$(dirname "$mod")
  echo "== $dir"
  (cd "$dir" && go vet ./... && go test -race -count=1 ./...) || status=1
done
exit $status
