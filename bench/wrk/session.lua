-- wrk script for the end-to-end benchmark. It sends the cookie in the
-- WRK_COOKIE environment variable (a session obtained beforehand) on every
-- request and checks every response: the body must equal WRK_EXPECT and,
-- when WRK_SETCOOKIE=1, the response must set a cookie. done() prints one
-- line of figures for run.sh:
--   RESULT requests=N seconds=S rps=R p50_us=A p99_us=B errors=E bad=K
-- errors counts wrk's socket errors and non-2xx/3xx statuses; bad counts
-- responses that failed the checks.

local cookie = os.getenv("WRK_COOKIE") or ""
local expect = os.getenv("WRK_EXPECT")
local want_set_cookie = os.getenv("WRK_SETCOOKIE") == "1"

if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  if expect and body ~= expect then
    bad = bad + 1
  elseif want_set_cookie and headers["Set-Cookie"] == nil and headers["set-cookie"] == nil then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local k = 0
  for _, t in ipairs(threads) do
    k = k + t:get("bad")
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_us=%d p99_us=%d errors=%d bad=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), errors, k))
end
