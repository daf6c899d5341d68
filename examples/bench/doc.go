// Package bench measures the per-request cost of keeping a session in a
// sealed cookie with cookiesession against keeping it in Redis, the usual
// server-side store, over loopback. It has no code outside its tests.
//
// Each benchmark does what a request does with its session: either read it
// (cookie: base64 decode, authenticate and decrypt, JSON decode; Redis: GET
// and JSON decode) or read, change and write it (cookie: the same, then
// JSON encode, seal and format a Set-Cookie line; Redis: GET, JSON decode,
// JSON encode, SET with a TTL). BenchmarkJSON measures the JSON decoding
// and encoding alone, which both pay. Two session sizes are used: 127 bytes
// of JSON and 2,060 bytes (still one cookie).
//
// The Redis benchmarks need a server; they are skipped unless REDIS_ADDR is
// set:
//
//	redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes
//	REDIS_ADDR=127.0.0.1:6379 go test -run '^$' -bench . -benchmem -count 5 ./bench
package bench
