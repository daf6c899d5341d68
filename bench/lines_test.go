package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cookiesession/cookiesession"
)

// BenchmarkSetCookieLines is a one-chunk save with MaxChunks 3: a request
// carrying a one-chunk session whose handler changes it, through the
// middleware. It reports the Set-Cookie lines of the response
// (set-cookie-lines): the new value, and no deletion of the chunk names
// the request did not carry.
func BenchmarkSetCookieLines(b *testing.B) {
	type counter struct {
		N int `json:"n"`
	}
	s, err := cookiesession.New[counter](cookiesession.Options{Keys: [][]byte{key32}, Secure: cookiesession.SecureNever, MaxChunks: 3})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Get(r).Data.N++
	}))
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("GET", "/", nil))
	r := httptest.NewRequest("GET", "/", nil)
	for _, c := range first.Result().Cookies() {
		r.AddCookie(c)
	}
	lines := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		lines = len(w.Header()["Set-Cookie"])
	}
	if lines == 0 {
		b.Fatal("the save sent no Set-Cookie line")
	}
	b.ReportMetric(float64(lines), "set-cookie-lines")
}
