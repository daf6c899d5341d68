package main

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestHandlerCounts(t *testing.T) {
	sum := sha256.Sum256([]byte{7})
	key := [][]byte{sum[:]}
	for _, mode := range []string{"middleware", "save", "cookie"} {
		t.Run(mode, func(t *testing.T) {
			h, err := newHandler(mode, key)
			if err != nil {
				t.Fatal(err)
			}
			cookie := ""
			for want := 1; want <= 3; want++ {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				if cookie != "" {
					r.Header.Set("Cookie", cookie)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if got := w.Body.String(); got != strconv.Itoa(want) {
					t.Fatalf("request %d: body %q", want, got)
				}
				c := w.Result().Cookies()
				if name := map[bool]string{true: "n", false: "session"}[mode == "cookie"]; len(c) != 1 || c[0].Name != name {
					t.Fatalf("request %d: cookies %v", want, c)
				}
				cookie = c[0].Name + "=" + c[0].Value
			}
		})
	}
}

func TestNoneAndStats(t *testing.T) {
	h, err := newHandler("none", nil)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Body.String() != "1" || len(w.Result().Cookies()) != 0 {
		t.Fatalf("none: body %q, cookies %v", w.Body.String(), w.Result().Cookies())
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/debug/stats?gc=1", nil))
	var m map[string]uint64
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || m["goroutines"] == 0 || m["heap_alloc"] == 0 {
		t.Fatalf("stats: %v %v", m, err)
	}
	if _, err := newHandler("bogus", nil); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if ln, err := listenLoopback(addr); err == nil {
			ln.Close()
			t.Errorf("%s accepted", addr)
		}
	}
	ln, err := listenLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
}
