package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/redis/go-redis/v9"
)

// session is a typical signed-in session; Cart makes the large variant.
type session struct {
	UserID  string   `json:"uid"`
	Name    string   `json:"name"`
	CSRF    string   `json:"csrf"`
	Visits  int      `json:"visits"`
	Expires int64    `json:"exp"`
	Cart    []string `json:"cart,omitempty"`
}

func sample(large bool) session {
	s := session{
		UserID:  "user-8f14e45fceea167a",
		Name:    "Ada Lovelace",
		CSRF:    "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0",
		Expires: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
	}
	if large {
		for i := 0; len(s.Cart) < 52; i++ {
			s.Cart = append(s.Cart, "sku-"+strings.Repeat("x", 30))
		}
	}
	return s
}

var sizes = []struct {
	name  string
	large bool
}{{"small", false}, {"2KB", true}}

// headerSink is a ResponseWriter that keeps only the header, reset per use.
type headerSink struct{ h http.Header }

func (s *headerSink) Header() http.Header         { return s.h }
func (s *headerSink) Write(p []byte) (int, error) { return len(p), nil }
func (s *headerSink) WriteHeader(int)             {}

func newStore(b *testing.B) *cookiesession.Store[session] {
	key := make([]byte, 32)
	rand.Read(key)
	st, err := cookiesession.New[session](cookiesession.Options{Keys: [][]byte{key}, MaxAge: time.Hour, Secure: cookiesession.SecureNever})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// sealedRequest returns a request that carries data sealed by st.
func sealedRequest(b *testing.B, st *cookiesession.Store[session], data session) *http.Request {
	s := st.Get(httptest.NewRequest("GET", "/", nil))
	s.Data = data
	sink := &headerSink{h: http.Header{}}
	if err := s.Save(sink); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Cookie", strings.SplitN(sink.h.Get("Set-Cookie"), ";", 2)[0])
	if st.Get(r).IsNew() {
		b.Fatal("sealed session did not open")
	}
	return r
}

// BenchmarkCookieRead opens the session a request carries.
func BenchmarkCookieRead(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			st := newStore(b)
			r := sealedRequest(b, st, sample(sz.large))
			b.ResetTimer()
			for b.Loop() {
				if s := st.Get(r); s.Data.UserID == "" {
					b.Fatal("empty session")
				}
			}
		})
	}
}

// BenchmarkCookieReadWrite opens the session, changes it and seals it into
// a Set-Cookie line.
func BenchmarkCookieReadWrite(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			st := newStore(b)
			r := sealedRequest(b, st, sample(sz.large))
			sink := &headerSink{h: http.Header{}}
			b.ResetTimer()
			for b.Loop() {
				s := st.Get(r)
				s.Data.Visits++
				clear(sink.h)
				if err := s.Save(sink); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCookieMiddleware is BenchmarkCookieReadWrite through the store's
// middleware and a handler, with a fresh ResponseRecorder per request.
func BenchmarkCookieMiddleware(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			st := newStore(b)
			r := sealedRequest(b, st, sample(sz.large))
			h := st.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				st.Get(r).Data.Visits++
				w.WriteHeader(http.StatusNoContent)
			}))
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if len(rec.Header()["Set-Cookie"]) != 1 {
					b.Fatal("no Set-Cookie")
				}
			}
		})
	}
}

// BenchmarkJSON is the JSON part alone, decode then encode, which both
// kinds of store pay: it shows how much of each figure is the data format
// rather than the storage.
func BenchmarkJSON(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			v, err := json.Marshal(sample(sz.large))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				var s session
				if err := json.Unmarshal(v, &s); err != nil {
					b.Fatal(err)
				}
				s.Visits++
				if _, err := json.Marshal(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func redisClient(b *testing.B) *redis.Client {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		b.Skip("REDIS_ADDR not set")
	}
	c := redis.NewClient(&redis.Options{Addr: addr})
	b.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		b.Skipf("redis at %s: %v", addr, err)
	}
	return c
}

func redisSeed(b *testing.B, c *redis.Client, key string, data session) {
	v, err := json.Marshal(data)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Set(context.Background(), key, v, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
}

// redisLoad fetches the session stored under key and decodes it.
func redisLoad(b *testing.B, c *redis.Client, ctx context.Context, key string) session {
	v, err := c.Get(ctx, key).Bytes()
	if err != nil {
		b.Fatal(err)
	}
	var s session
	if err := json.Unmarshal(v, &s); err != nil || s.UserID == "" {
		b.Fatal("bad session", err)
	}
	return s
}

// BenchmarkRedisRead fetches the session by id and decodes it.
func BenchmarkRedisRead(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			c := redisClient(b)
			ctx := context.Background()
			key := "bench:session:" + sz.name
			redisSeed(b, c, key, sample(sz.large))
			b.ResetTimer()
			for b.Loop() {
				redisLoad(b, c, ctx, key)
			}
		})
	}
}

// BenchmarkRedisReadWrite fetches, decodes, changes, encodes and stores the
// session with a TTL: two round trips, as a server-side store makes when a
// request changes its session.
func BenchmarkRedisReadWrite(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			c := redisClient(b)
			ctx := context.Background()
			key := "bench:session:" + sz.name
			redisSeed(b, c, key, sample(sz.large))
			b.ResetTimer()
			for b.Loop() {
				s := redisLoad(b, c, ctx, key)
				s.Visits++
				v, err := json.Marshal(s)
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Set(ctx, key, v, time.Hour).Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParallel runs the read-modify-write of both stores from as many
// goroutines as GOMAXPROCS, each with its own session: throughput of the
// whole machine, Redis server included when it runs on the same host.
func BenchmarkParallel(b *testing.B) {
	for _, sz := range sizes {
		b.Run("cookie/"+sz.name, func(b *testing.B) {
			st := newStore(b)
			r := sealedRequest(b, st, sample(sz.large)) // read-only: shared
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				sink := &headerSink{h: http.Header{}}
				for pb.Next() {
					s := st.Get(r)
					s.Data.Visits++
					clear(sink.h)
					if err := s.Save(sink); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run("redis/"+sz.name, func(b *testing.B) {
			c := redisClient(b)
			ctx := context.Background()
			data, err := json.Marshal(sample(sz.large))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				key := "bench:parallel:" + rand.Text() // one session per goroutine
				if err := c.Set(ctx, key, data, time.Hour).Err(); err != nil {
					b.Error(err)
					return
				}
				for pb.Next() {
					v, err := c.Get(ctx, key).Bytes()
					if err != nil {
						b.Error(err)
						return
					}
					var s session
					if err := json.Unmarshal(v, &s); err != nil {
						b.Error(err)
						return
					}
					s.Visits++
					v, _ = json.Marshal(s)
					if err := c.Set(ctx, key, v, time.Hour).Err(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// TestSamplesFitOneCookie keeps the large sample within one cookie, so the
// benchmarks compare like with like.
func TestSamplesFitOneCookie(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	st, err := cookiesession.New[session](cookiesession.Options{Keys: [][]byte{key}, Secure: cookiesession.SecureNever})
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		s := st.Get(httptest.NewRequest("GET", "/", nil))
		s.Data = sample(sz.large)
		rec := httptest.NewRecorder()
		if err := s.Save(rec); err != nil {
			t.Errorf("%s: %v", sz.name, err)
		}
		js, _ := json.Marshal(s.Data)
		c := rec.Result().Cookies()[0]
		t.Logf("%s: %d bytes of JSON, a %d-byte cookie value", sz.name, len(js), len(c.Value))
	}
}
