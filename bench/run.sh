#!/usr/bin/env bash
# Runs the measurements of bench/NOTES.md and writes their tables to
# stdout and to $OUT/results.md:
#
#   micro  codec and store benchmarks: ROUNDS interleaved runs of every
#          benchmark (-count 1 each), then benchstat and benchratio;
#   http   the same handler in Go (middleware, explicit Save, no session)
#          and in Express 5 (with cookie-session 2, and without) under wrk,
#          HTTP_ROUNDS rounds taken in turn, medians reported;
#   soak   the Go middleware stack under wrk for SOAK seconds, with the
#          server's goroutines and live heap sampled every 10 s;
#   jsonv2 (not in the default PARTS) the BENCH benchmarks built with and
#          without GOEXPERIMENT=jsonv2, ROUNDS rounds taken in turn;
#   codecs (not in the default PARTS) seal+open of the store, the codec,
#          their floors and securecookie with encoding/json and with the
#          plugged JSON implementations, built with the machine's Go and with
#          GO_NEW, ROUNDS rounds taken in turn; then one pass of Seal and
#          Open (-benchtime ALLOC_N) for the allocation counts.
#
# Everything listens on and connects to 127.0.0.1 only; every loop is
# bounded. Needs go, wrk, curl and node, and interop/node_modules (npm ci in
# ../interop, or INTEROP_DIR). Settings come from the environment, e.g.
#   PARTS="micro" ROUNDS=3 BENCHTIME=200ms ./run.sh
set -euo pipefail
cd "$(dirname "$0")"

OUT=${OUT:-results}
PARTS=${PARTS:-"micro http soak"}
ROUNDS=${ROUNDS:-10}          # micro: runs of the whole benchmark set
BENCHTIME=${BENCHTIME:-1s}    # micro: -benchtime of each benchmark
BENCH=${BENCH:-.}             # micro: -bench pattern
THREADS=${THREADS:-1}         # wrk threads
CONNS=${CONNS:-64}            # wrk connections
DURATION=${DURATION:-15}      # http: seconds measured per stack and round
WARMUP=${WARMUP:-3}           # http: seconds of load before measuring
HTTP_ROUNDS=${HTTP_ROUNDS:-3} # http: rounds over the four stacks
SOAK=${SOAK:-60}              # soak: seconds
SOAK2=${SOAK2:-20}            # soak: seconds of a second burst
PIN=${PIN:-0}                 # 1: server on CPU 1, wrk on CPU 0 (taskset)
GO_NEW=${GO_NEW:-go1.27.3}   # codecs: the second toolchain (GOTOOLCHAIN)
ALLOC_N=${ALLOC_N:-2000x}     # codecs: -benchtime of the allocation pass
CODEC_BENCH=${CODEC_BENCH:-'SealOpen$/./impl=(floor|floor-http|codec-xchacha|store|securecookie-json|gorilla-sessions|(floor|codec|store|securecookie)-(goccy|sonic))$'}
QUIET_LOAD=${QUIET_LOAD:-}    # e.g. 0.5: first wait until the 1-minute load
QUIET_WAIT=${QUIET_WAIT:-600} #   average is below it, at most QUIET_WAIT s

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RESULTS=$OUT/results.md
: >"$RESULTS"

say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

. ./lib.sh
trap stop_server EXIT

if [ "$PIN" = 1 ]; then
  pin_server=(taskset -c 1) pin_wrk=(taskset -c 0)
fi

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

stat_field() { grep -o "\"$1\":[0-9]*" | cut -d: -f2; }

if [ -n "$QUIET_LOAD" ]; then
  for _ in $(seq $((QUIET_WAIT / 10))); do
    awk -v l="$(load1)" -v q="$QUIET_LOAD" 'BEGIN {exit !(l < q)}' && break
    sleep 10
  done
fi

say "# cookiesession benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
say ""
say "- $(go version)"
say "- $(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sort -u | paste -sd, -)"
say "- node $(node --version 2>/dev/null || echo absent), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
say "- library at commit ${REV:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}, GOEXPERIMENT=${GOEXPERIMENT:-none}"
say "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

for part in $PARTS; do
  case $part in
  micro)
    say ""
    say "## Codec and store (ROUNDS=$ROUNDS, -benchtime=$BENCHTIME)"
    say ""
    say '```'
    say "go test -c -o bench.test ."
    say "for i in \$(seq $ROUNDS); do ./bench.test -test.run '^\$' -test.bench '$BENCH' -test.benchtime $BENCHTIME -test.count 1; done > micro.txt"
    say "benchstat -table .name -row /payload -col /impl micro.txt"
    say "go run ./cmd/benchratio micro.txt"
    say '```'
    go test -c -o "$OUT/bench.test" .
    : >"$OUT/micro.txt"
    for i in $(seq "$ROUNDS"); do
      echo "round $i/$ROUNDS, load $(load1)" >&2
      "$OUT/bench.test" -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" -test.count 1 >>"$OUT/micro.txt"
    done
    say "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    benchstat=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
    if [ ! -x "$benchstat" ]; then
      go install golang.org/x/perf/cmd/benchstat@latest
    fi
    say ""
    say '```'
    "$benchstat" -table .name -row /payload -col /impl "$OUT/micro.txt" | tee -a "$RESULTS"
    say '```'
    go run ./cmd/benchratio "$OUT/micro.txt" | tee -a "$RESULTS" || true
    ;;

  http)
    go build -o "$OUT/server" ./cmd/server
    say ""
    say "## End to end over HTTP (wrk -t $THREADS -c $CONNS -d ${DURATION}s after ${WARMUP}s of warm-up, $HTTP_ROUNDS rounds, PIN=$PIN)"
    : >"$OUT/http.txt"
    stacks="go-middleware go-save go-none express express-none"
    for round in $(seq "$HTTP_ROUNDS"); do
      for stack in $stacks; do
        case $stack in
        go-*) start_server "$OUT/$stack.log" "$OUT/server" -mode "${stack#go-}" ;;
        express) start_server "$OUT/$stack.log" env NODE_ENV=production node express/server.js ;;
        express-none) start_server "$OUT/$stack.log" env NODE_ENV=production SESSION=0 node express/server.js ;;
        esac
        # Every session stack gets a cookie holding n=1 from its own first
        # response, so every measured response must say 2 and set a new
        # cookie. The stacks without sessions get the same cookie as their
        # session twin (same request size) and must say 1.
        case $stack in
        go-none) cookie=$go_cookie expect=1 setcookie=0 ;;
        express-none) cookie=$express_cookie expect=1 setcookie=0 ;;
        *) cookie=$(session_cookie "$URL") expect=2 setcookie=1 ;;
        esac
        case $stack in
        go-middleware) go_cookie=$cookie ;;
        express) express_cookie=$cookie ;;
        esac
        if [ -z "$cookie" ]; then
          echo "$stack: no session cookie" >&2
          exit 1
        fi
        run_wrk "$WARMUP" "$cookie" "$expect" "$setcookie" >/dev/null
        line=$(run_wrk "$DURATION" "$cookie" "$expect" "$setcookie")
        echo "$line stack=$stack round=$round load=$(load1)" | tee -a "$OUT/http.txt" >&2
        stop_server
      done
    done
    say ""
    say "| stack | requests/s (median) | per round | p50 | p99 | errors | failed checks |"
    say "|---|---:|---|---:|---:|---:|---:|"
    express_rps=$(grep 'stack=express ' "$OUT/http.txt" | field rps | median)
    for stack in $stacks; do
      rows=$(grep "stack=$stack " "$OUT/http.txt")
      rps=$(field rps <<<"$rows" | median)
      all=$(field rps <<<"$rows" | paste -sd/ -)
      p50=$(field p50_us <<<"$rows" | median)
      p99=$(field p99_us <<<"$rows" | median)
      errs=$(field errors <<<"$rows" | awk '{s += $1} END {print s}')
      bad=$(field bad <<<"$rows" | awk '{s += $1} END {print s}')
      say "| $stack | $rps | $all | $(awk -v u="$p50" 'BEGIN {printf "%.2f ms", u/1000}') | $(awk -v u="$p99" 'BEGIN {printf "%.2f ms", u/1000}') | $errs | $bad |"
    done
    for stack in go-middleware go-save; do
      rps=$(grep "stack=$stack " "$OUT/http.txt" | field rps | median)
      say ""
      say "$stack / express throughput: $(awk -v a="$rps" -v b="$express_rps" 'BEGIN {printf "%.2f×", a/b}') (target ≥ 5×)"
    done
    say ""
    say "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    ;;

  soak)
    go build -o "$OUT/server" ./cmd/server
    say ""
    say "## Soak: go-middleware under wrk -t $THREADS -c $CONNS -d ${SOAK}s"
    start_server "$OUT/soak.log" "$OUT/server" -mode middleware
    cookie=$(session_cookie "$URL")
    stats() { curl -s -m 5 "$URL/debug/stats?gc=1"; }
    say ""
    say "| when | goroutines | live heap (after GC) | heap in use | GCs so far | total allocated |"
    say "|---|---:|---:|---:|---:|---:|"
    row() {
      local s
      s=$(stats)
      say "| $1 | $(stat_field goroutines <<<"$s") | $(stat_field heap_alloc <<<"$s" | awk '{printf "%.0f KiB", $1/1024}') | $(stat_field heap_inuse <<<"$s" | awk '{printf "%.0f KiB", $1/1024}') | $(stat_field num_gc <<<"$s") | $(stat_field total_alloc <<<"$s" | awk '{printf "%.0f MiB", $1/1048576}') |"
    }
    row "idle, before"
    run_wrk "$SOAK" "$cookie" 2 1 >"$OUT/soak.wrk" &
    wrk_pid=$!
    sleep 5
    for t in $(seq 5 10 $((SOAK - 1))); do
      row "under load, t=${t}s"
      sleep 10
    done
    wait "$wrk_pid"
    sleep 2
    row "idle, 2 s after"
    # A second, shorter burst on the same process: a fixed cost of the
    # first burst stays the same, a leak grows again.
    run_wrk "$SOAK2" "$cookie" 2 1 >"$OUT/soak2.wrk"
    sleep 2
    row "idle, 2 s after a second ${SOAK2}s burst"
    stop_server
    say ""
    say "wrk: $(cat "$OUT/soak.wrk")"
    say "wrk, second burst: $(cat "$OUT/soak2.wrk")"
    ;;
  jsonv2)
    say ""
    say "## encoding/json as shipped against GOEXPERIMENT=jsonv2 (ROUNDS=$ROUNDS, -benchtime=$BENCHTIME, -bench '$BENCH')"
    say ""
    say '```'
    say "go test -c -o v1.test . && GOEXPERIMENT=jsonv2 go test -c -o v2.test ."
    say "for i in \$(seq $ROUNDS); do ./v1.test -test.run '^\$' -test.bench '$BENCH' -test.benchtime $BENCHTIME >> v1.txt; ./v2.test ... >> v2.txt; done"
    say "benchstat -filter '.unit:(sec/op OR allocs/op)' v1.txt v2.txt"
    say "go run ./cmd/benchratio v2.txt"
    say '```'
    GOEXPERIMENT= go test -c -o "$OUT/v1.test" .
    GOEXPERIMENT=jsonv2 go test -c -o "$OUT/v2.test" .
    : >"$OUT/v1.txt"
    : >"$OUT/v2.txt"
    for i in $(seq "$ROUNDS"); do
      echo "round $i/$ROUNDS, load $(load1)" >&2
      "$OUT/v1.test" -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" -test.count 1 >>"$OUT/v1.txt"
      "$OUT/v2.test" -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" -test.count 1 >>"$OUT/v2.txt"
    done
    benchstat=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
    if [ ! -x "$benchstat" ]; then
      go install golang.org/x/perf/cmd/benchstat@latest
    fi
    say ""
    say '```'
    (cd "$OUT" && "$benchstat" -filter '.unit:(sec/op OR allocs/op)' v1.txt v2.txt) | tee -a "$RESULTS"
    say '```'
    go run ./cmd/benchratio "$OUT/v2.txt" | tee -a "$RESULTS" || true
    ;;
  codecs)
    say ""
    say "## Plugged JSON implementations, $(go env GOVERSION) and $GO_NEW (ROUNDS=$ROUNDS, -benchtime=$BENCHTIME)"
    say ""
    say '```'
    say "go test -c -o old.test . && GOTOOLCHAIN=$GO_NEW go test -c -o new.test ."
    say "for i in \$(seq $ROUNDS); do for v in old new; do ./\$v.test -test.run '^\$' -test.bench '$CODEC_BENCH' -test.benchtime $BENCHTIME >> \$v.txt; done; done"
    say "for v in old new; do ./\$v.test -test.run '^\$' -test.bench '^Benchmark(Seal|Open)\$' -test.benchtime $ALLOC_N >> \$v.txt; done"
    say "benchstat -table .name -row /payload -col /impl old.txt; go run ./cmd/benchratio old.txt  # and new.txt"
    say '```'
    go test -c -o "$OUT/old.test" .
    versions=old
    if GOTOOLCHAIN=$GO_NEW go test -c -o "$OUT/new.test" . 2>"$OUT/new.build"; then
      versions="old new"
    else
      say ""
      say "$GO_NEW: the bench module does not build:"
      say '```'
      say "$(cat "$OUT/new.build")"
      say '```'
    fi
    for v in $versions; do : >"$OUT/$v.txt"; done
    for i in $(seq "$ROUNDS"); do
      echo "round $i/$ROUNDS, load $(load1)" >&2
      for v in $versions; do
        "$OUT/$v.test" -test.run '^$' -test.bench "$CODEC_BENCH" -test.benchtime "$BENCHTIME" -test.count 1 >>"$OUT/$v.txt"
      done
    done
    for v in $versions; do
      "$OUT/$v.test" -test.run '^$' -test.bench '^Benchmark(Seal|Open)$' -test.benchtime "$ALLOC_N" -test.count 1 >>"$OUT/$v.txt"
    done
    say "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    benchstat=$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")
    if [ ! -x "$benchstat" ]; then
      go install golang.org/x/perf/cmd/benchstat@latest
    fi
    for v in $versions; do
      say ""
      tc=local
      [ "$v" = new ] && tc=$GO_NEW
      say "### $v.txt: $(GOTOOLCHAIN=$tc go version)"
      say ""
      say '```'
      (cd "$OUT" && "$benchstat" -filter '.name:SealOpen' -table .name -row /payload -col /impl "$v.txt") | tee -a "$RESULTS"
      say '```'
      go run ./cmd/benchratio "$OUT/$v.txt" | tee -a "$RESULTS" || true
    done
    ;;
  *)
    echo "unknown part $part" >&2
    exit 2
    ;;
  esac
done
say ""
say "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
