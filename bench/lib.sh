# Helpers that run.sh and table.sh source: a server started in the
# background, the session cookie it gives, and wrk against it with the
# checking script (wrk/session.lua). Settings: THREADS and CONNS (wrk),
# pin_server and pin_wrk (a command prefix each, such as taskset; empty by
# default). Everything listens on 127.0.0.1.

server_pid=
pin_server=() pin_wrk=()

# stop_server stops the server start_server started, if any.
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}

# start_server LOG CMD...: starts CMD in the background and sets URL from
# its "listening on http://..." line (waits at most 10 s).
start_server() {
  local log=$1
  shift
  "${pin_server[@]}" "$@" >"$log" 2>&1 &
  server_pid=$!
  URL=
  for _ in $(seq 100); do
    URL=$(sed -n 's#^listening on \(http://127\.0\.0\.1:[0-9]*\)$#\1#p' "$log")
    [ -n "$URL" ] && return 0
    sleep 0.1
  done
  echo "server did not start: $*" >&2
  cat "$log" >&2
  return 1
}

# session_cookie URL: the Cookie header value a browser would send after
# one request to URL (all its Set-Cookie name=value pairs).
session_cookie() {
  curl -s -m 5 -D - -o /dev/null "$1/" |
    sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | paste -sd';' - | sed 's/;/; /g'
}

# run_wrk SECONDS COOKIE EXPECT SETCOOKIE: wrk against $URL with the
# checking script; prints its RESULT line.
run_wrk() {
  WRK_COOKIE=$2 WRK_EXPECT=$3 WRK_SETCOOKIE=$4 \
    "${pin_wrk[@]}" wrk -t "$THREADS" -c "$CONNS" -d "$1s" --timeout 5s -s wrk/session.lua "$URL/" |
    grep '^RESULT '
}
