#!/usr/bin/env bash
# Measures revocation at scale before and after a change, side by side in
# one run, and prints the table of README.md's "Measured at scale":
#
#   ./bench.sh [BASE]    # BASE: the commit to compare with (default: the
#                        # merge base with main)
#
# Builds package memrevoke's (the root package's before it existed) and
# this module's test binaries at BASE (with
# this tree's bench_test.go, so both sides run the same benchmarks) and in
# this tree, then runs ROUNDS rounds, each side in turn in every round, and
# reports each figure's median: replica and memrevoke.List bytes per entry
# (Go heap after GC) at 100,000 and 1,000,000 entries, Revoked's time and
# allocations against 100,000 entries, and a refresh after one revocation
# at 100,000 entries (time, bytes allocated, bytes Redis sent). Needs go,
# git and redis-server. Settings: ROUNDS (3), BENCHTIME (1s, for Revoked).
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${ROUNDS:-3}
BENCHTIME=${BENCHTIME:-1s}
BASE=${1:-$(git merge-base HEAD main)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/before"
git -C .. archive "$BASE" | tar -x -C "$tmp/before"
cp bench_test.go "$tmp/before/redisrevoke/bench_test.go"
for side in before after; do
	src=$tmp/before
	[ "$side" = after ] && src=..
	(cd "$src/redisrevoke" && go test -c -o "$tmp/$side-redisrevoke.test" .)
	list=./memrevoke
	[ -d "$src/memrevoke" ] || list=. # BASE before package memrevoke
	(cd "$src" && go test -c -o "$tmp/$side-list.test" "$list")
done

# run runs one benchmark binary of side $side, and stops the script,
# showing its output, if it fails.
run() {
	if ! "$@" >"$tmp/run.txt" 2>&1; then
		cat "$tmp/run.txt" >&2
		exit 1
	fi
	sed -n "s/^Benchmark/$side Benchmark/p" "$tmp/run.txt" >>"$tmp/results.txt"
}
for round in $(seq "$ROUNDS"); do
	for side in before after; do
		echo "round $round: $side" >&2
		run "$tmp/$side-list.test" -test.run '^$' -test.bench 'ListMemory' -test.benchtime 1x
		run "$tmp/$side-redisrevoke.test" -test.run '^$' -test.bench 'ReplicaMemory' -test.benchtime 1x
		run "$tmp/$side-redisrevoke.test" -test.run '^$' -test.bench 'Revoked100k/(revoked|not-revoked)$' -test.benchmem -test.benchtime "$BENCHTIME"
		run "$tmp/$side-redisrevoke.test" -test.run '^$' -test.bench 'Refresh/entries=100000/changed' -test.benchmem -test.benchtime 10x
	done
done

# Each row: a benchmark, the unit of a figure, and its label.
awk '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$2 ~ /^Benchmark/ {
	name = $2; sub(/-[0-9]+$/, "", name); sub(/RevocationListMemory/, "ListMemory", name)
	for (i = 4; i < NF; i += 2) v[$1, name, $(i + 1)] = v[$1, name, $(i + 1)] " " $i
}
END {
	n = split("BenchmarkReplicaMemory/100000|B/entry|replica, bytes per entry, 100k;" \
		"BenchmarkReplicaMemory/1000000|B/entry|replica, bytes per entry, 1M;" \
		"BenchmarkListMemory/100000|B/entry|memrevoke.List, bytes per entry, 100k;" \
		"BenchmarkListMemory/1000000|B/entry|memrevoke.List, bytes per entry, 1M;" \
		"BenchmarkRevoked100k/revoked|ns/op|Revoked, revoked (a new entry each call), ns;" \
		"BenchmarkRevoked100k/revoked|allocs/op|Revoked, revoked, allocs;" \
		"BenchmarkRevoked100k/not-revoked|ns/op|Revoked, not revoked, ns;" \
		"BenchmarkRevoked100k/not-revoked|allocs/op|Revoked, not revoked, allocs;" \
		"BenchmarkRefresh/entries=100000/changed|ns/op|refresh after one revocation, 100k, ns;" \
		"BenchmarkRefresh/entries=100000/changed|B/op|refresh after one revocation, 100k, bytes allocated;" \
		"BenchmarkRefresh/entries=100000/changed|redis-B/op|refresh after one revocation, 100k, bytes Redis sent", rows, ";")
	printf "| measure | before | after | after/before |\n|---|---|---|---|\n"
	for (r = 1; r <= n; r++) {
		split(rows[r], f, "|")
		b = v["before", f[1], f[2]]; a = v["after", f[1], f[2]]
		mb = b == "" ? "-" : median(b); ma = a == "" ? "-" : median(a)
		ratio = (mb == "-" || ma == "-" || mb + 0 == 0) ? "-" : sprintf("%.4g", ma / mb)
		printf "| %s | %s | %s | %s |\n", f[3], mb, ma, ratio
	}
}' "$tmp/results.txt"
echo "($ROUNDS rounds, medians; base $(git rev-parse --short "$BASE"); $(go version | cut -d' ' -f3); load average $(cut -d' ' -f1-3 /proc/loadavg))"
