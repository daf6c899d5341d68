#!/usr/bin/env bash
# Prints the table of performance goals (docs/PERFORMANCE.md, "The goals
# table"), every row measured in this one run, each figure the median of
# ROUNDS rounds and each comparison a ratio taken within the run:
#
#   Map cycle    BenchmarkMapCycle/{store,securecookie,gorilla} (this
#                module): a 1.5 KB Map session, one key changed per request;
#                the rounds take the three in turn
#   HTTP         bench/cmd/server -mode middleware and -mode cookie (the
#                counter in a plain cookie) under wrk, in turn each round
#   Set-Cookie   BenchmarkSetCookieLines: the lines of a one-chunk save with
#                MaxChunks 3
#   revocation   ../redisrevoke's BenchmarkReplicaMemory, BenchmarkRevoked100k
#                and BenchmarkRefresh (needs redis-server)
#
#   ./table.sh            # ROUNDS=3, wrk 10 s per server and round
#   ./table.sh -quick     # ROUNDS=1, wrk 3 s, short benchmarks, replica at 100k only
#   BASE=444810a ./table.sh   # also the session server of commit 444810a,
#                             # in turn with the others: the HTTP rows before
#                             # and after, in one run
#
# The HTTP row also gives the ratio of the servers' CPU time per request
# (from /proc): on a machine shared with other work, req/s measures the
# share of the CPUs the server got as much as its cost.
# A row whose benchmark or tool is missing says so ("missing benchmark",
# "skipped: no wrk") instead of a figure. Everything listens on 127.0.0.1.
# Settings: ROUNDS, BENCHTIME, DURATION (wrk seconds), CONNS, THREADS, BASE.
set -euo pipefail
cd "$(dirname "$0")"
. ./lib.sh

quick=0
[ "${1:-}" = -quick ] && quick=1
if [ "$quick" = 1 ]; then
  ROUNDS=${ROUNDS:-1} BENCHTIME=${BENCHTIME:-200ms} DURATION=${DURATION:-3} REPLICA=${REPLICA:-100000}
else
  ROUNDS=${ROUNDS:-3} BENCHTIME=${BENCHTIME:-1s} DURATION=${DURATION:-10} REPLICA=${REPLICA:-1000000}
fi
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}

tmp=$(mktemp -d)
cleanup() {
  stop_server
  rm -rf "$tmp"
  git worktree prune 2>/dev/null || true
}
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
# median reads numbers, one a line, and prints their median.
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) exit; print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# figure FILE NAME UNIT: the median of UNIT over FILE's lines of benchmark NAME.
figure() {
  awk -v n="$2" -v u="$3" '{name = $1; sub(/-[0-9]+$/, "", name)} name == n {for (i = 3; i < NF; i += 2) if ($(i + 1) == u) print $i}' "$1" | median
}
# cpu_ticks PID: the user and system CPU time PID used so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a !~ /^[0-9.e+]+$/ || b !~ /^[0-9.e+]+$/ || b + 0 == 0) print "-"; else printf "%.2fx", a / b}'; }

echo "building" >&2
go test -c -o "$tmp/bench.test" .
go build -o "$tmp/server" ./cmd/server
modes="middleware cookie"
if [ -n "${BASE:-}" ]; then
  git worktree add -q --detach "$tmp/base" "$BASE"
  (cd "$tmp/base/bench" && go build -o "$tmp/server-base" ./cmd/server)
  git worktree remove --force "$tmp/base"
  modes="base middleware cookie"
fi

rows=()
row() { rows+=("| $1 | $2 | $3 |"); }

# Map cycle.
if "$tmp/bench.test" -test.list '^BenchmarkMapCycle$' | grep -q .; then
  for i in $(seq "$ROUNDS"); do
    echo "Map cycle, round $i/$ROUNDS" >&2
    "$tmp/bench.test" -test.run '^$' -test.bench '^BenchmarkMapCycle$' -test.benchtime "$BENCHTIME" -test.benchmem >>"$tmp/map.txt"
  done
  mapfig() { # mapfig SUB: the median ns/op of BenchmarkMapCycle/SUB, or why there is none
    local f
    f=$(figure "$tmp/map.txt" "BenchmarkMapCycle/$1" ns/op)
    echo "${f:-missing benchmark: BenchmarkMapCycle/$1}"
  }
  st=$(mapfig store) sc=$(mapfig securecookie) go=$(mapfig gorilla)
  row "Map session cycle vs securecookie JSON" "$(ratio "$sc" "$st") faster ($st vs $sc ns/op)" "≥ 2.5x"
  row "Map session cycle vs gorilla/sessions" "$(ratio "$go" "$st") faster ($st vs $go ns/op)" "≥ 4x"
else
  row "Map session cycle vs securecookie JSON" "missing benchmark: BenchmarkMapCycle/{store,securecookie,gorilla} in bench/" "≥ 2.5x"
  row "Map session cycle vs gorilla/sessions" "missing benchmark: BenchmarkMapCycle/gorilla in bench/" "≥ 4x"
fi

# HTTP: the counter handler with the session, and with a plain cookie.
if command -v wrk >/dev/null && command -v curl >/dev/null; then
  for i in $(seq "$ROUNDS"); do
    for mode in $modes; do
      echo "HTTP $mode, round $i/$ROUNDS, load $(load)" >&2
      cmd=("$tmp/server" -mode "$mode")
      [ "$mode" = base ] && cmd=("$tmp/server-base" -mode middleware)
      start_server "$tmp/server.log" "${cmd[@]}"
      # The first response's cookie holds n=1: every measured response must say 2 and set a cookie.
      cookie=$(session_cookie "$URL")
      run_wrk 1 "$cookie" 2 1 >/dev/null
      t0=$(cpu_ticks "$server_pid")
      line=$(run_wrk "$DURATION" "$cookie" 2 1)
      t1=$(cpu_ticks "$server_pid")
      stop_server
      case $line in
      *" errors=0 bad=0"*) ;;
      *) echo "HTTP $mode: failed requests or checks: $line" >&2; exit 1 ;;
      esac
      echo "$line" | sed -n 's/.* rps=\([0-9]*\) .*/\1/p' >>"$tmp/http-$mode.txt"
      requests=$(echo "$line" | sed -n 's/.*requests=\([0-9]*\) .*/\1/p')
      awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.2f\n", t / hz * 1e6 / n}' >>"$tmp/cpu-$mode.txt"
      echo "  $(tail -n1 "$tmp/http-$mode.txt") req/s, $(tail -n1 "$tmp/cpu-$mode.txt") µs CPU per request" >&2
    done
  done
  mw=$(median <"$tmp/http-middleware.txt") pc=$(median <"$tmp/http-cookie.txt")
  row "HTTP req/s, counter session read + written, vs a plain cookie (wrk -t $THREADS -c $CONNS, ${DURATION} s)" "$(ratio "$mw" "$pc") ($mw vs $pc req/s)" "≥ 0.85x"
  mw=$(median <"$tmp/cpu-middleware.txt") pc=$(median <"$tmp/cpu-cookie.txt")
  row "the same, as the server's CPU time per request (plain / session: the req/s ratio on a CPU of its own)" "$(ratio "$pc" "$mw") ($mw vs $pc µs)" "≥ 0.85x"
  if [ -n "${BASE:-}" ]; then
    bs=$(median <"$tmp/http-base.txt") pc=$(median <"$tmp/http-cookie.txt")
    row "HTTP req/s as above, the session server of $BASE" "$(ratio "$bs" "$pc") ($bs vs $pc req/s)" "≥ 0.85x"
    bs=$(median <"$tmp/cpu-base.txt") pc=$(median <"$tmp/cpu-cookie.txt")
    row "CPU time per request as above, the session server of $BASE" "$(ratio "$pc" "$bs") ($bs vs $pc µs)" "≥ 0.85x"
  fi
else
  row "HTTP req/s vs a plain cookie" "skipped: no wrk or curl" "≥ 0.85x"
fi

# Set-Cookie lines.
"$tmp/bench.test" -test.run '^$' -test.bench '^BenchmarkSetCookieLines$' -test.benchtime 100x >"$tmp/lines.txt"
lines=$(figure "$tmp/lines.txt" BenchmarkSetCookieLines set-cookie-lines)
row "Set-Cookie lines on a one-chunk save with MaxChunks 3" "${lines:+$(printf '%g' "$lines")}" "1"

# Revocation.
if command -v redis-server >/dev/null; then
  echo "revocation benchmarks" >&2
  (cd ../redisrevoke && go test -c -o "$tmp/redisrevoke.test" .)
  for i in $(seq "$ROUNDS"); do
    "$tmp/redisrevoke.test" -test.run '^$' -test.bench "^BenchmarkReplicaMemory\$/^$REPLICA\$" -test.benchtime 1x >>"$tmp/revoke.txt"
    "$tmp/redisrevoke.test" -test.run '^$' -test.bench '^BenchmarkRevoked100k$' -test.benchtime "$BENCHTIME" -test.benchmem >>"$tmp/revoke.txt"
    "$tmp/redisrevoke.test" -test.run '^$' -test.bench '^BenchmarkRefresh$/^entries=100000$/^changed$' -test.benchtime 10x -test.benchmem >>"$tmp/revoke.txt"
  done
  row "revocation replica memory at $REPLICA entries" "$(figure "$tmp/revoke.txt" "BenchmarkReplicaMemory/$REPLICA" B/entry) B per entry" "≤ 40 B per entry at 1M"
  for case in revoked not-revoked; do
    row "Revoked against 100k entries, $case" "$(figure "$tmp/revoke.txt" "BenchmarkRevoked100k/$case" ns/op) ns, $(figure "$tmp/revoke.txt" "BenchmarkRevoked100k/$case" allocs/op) allocs" "≤ 150 ns, 0 allocs"
  done
  row "Redis traffic of a refresh after one revocation, 100k entries" "$(figure "$tmp/revoke.txt" BenchmarkRefresh/entries=100000/changed redis-B/op) B from Redis, $(figure "$tmp/revoke.txt" BenchmarkRefresh/entries=100000/changed ns/op) ns" "O(changes), not O(set)"
else
  row "revocation rows" "skipped: no redis-server" "-"
fi

echo
echo "| measure | now | goal |"
echo "|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "($ROUNDS rounds, medians; $(go version | cut -d' ' -f3); $(nproc) CPUs; load average $(load))"
