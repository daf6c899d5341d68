package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/websocket"
)

// testStore returns a store with a random key that reports lost changes
// into lost.
func testStore(t *testing.T, lost *[]error, mu *sync.Mutex) *cookiesession.Store[session] {
	t.Helper()
	k := cookiesession.GenerateKey()
	store, err := cookiesession.New[session](cookiesession.Options{
		Keys: [][]byte{k}, Name: "__Host-session",
		OnEvent: func(_ context.Context, e cookiesession.Event) {
			if e.Kind == cookiesession.EventLostChange {
				mu.Lock()
				*lost = append(*lost, e.Err)
				mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// login signs in through srv with a fresh cookie jar and returns the jar.
func login(t *testing.T, srv *httptest.Server) http.CookieJar {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return jar
}

// sockets reads the session's socket count through a plain request.
func sockets(t *testing.T, store *cookiesession.Store[session], jar http.CookieJar, u string) int {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	pu, _ := url.Parse(u)
	for _, c := range jar.Cookies(pu) {
		r.AddCookie(c)
	}
	s := store.Get(r)
	if s.IsNew() {
		t.Fatalf("no session: %v", s.Err())
	}
	return s.Data.Sockets
}

// TestGorillaUpgradeThroughMiddleware upgrades with gorilla/websocket,
// which type-asserts http.Hijacker, and checks that the session change
// saved before the upgrade reaches the client in the 101 response.
func TestGorillaUpgradeThroughMiddleware(t *testing.T) {
	var lost []error
	var mu sync.Mutex
	store := testStore(t, &lost, &mu)
	srv := httptest.NewServer(routes(store))
	defer srv.Close()
	jar := login(t, srv)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	for i := 1; i <= 2; i++ {
		d := websocket.Dialer{Jar: jar}
		conn, resp, err := d.Dial(wsURL, nil)
		if err != nil {
			t.Fatalf("dial %d: %v (response %v)", i, err, resp)
		}
		if len(resp.Header["Set-Cookie"]) == 0 {
			t.Fatalf("101 response carries no Set-Cookie: %v", resp.Header)
		}
		_, msg, err := conn.ReadMessage()
		if err != nil || string(msg) != "hello ada" {
			t.Fatalf("read %q %v", msg, err)
		}
		conn.WriteMessage(websocket.TextMessage, []byte("ping"))
		if _, msg, _ := conn.ReadMessage(); string(msg) != "ping" {
			t.Fatalf("echo %q", msg)
		}
		conn.Close()
		if n := sockets(t, store, jar, srv.URL); n != i {
			t.Fatalf("after connection %d the session counts %d", i, n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lost) != 0 {
		t.Fatalf("lost changes reported: %v", lost)
	}
}

// TestGorillaUpgradeUnsavedChangeReported upgrades without saving first:
// the change cannot be sent, and the middleware says so.
func TestGorillaUpgradeUnsavedChangeReported(t *testing.T) {
	var lost []error
	var mu sync.Mutex
	store := testStore(t, &lost, &mu)
	done := make(chan struct{})
	up := websocket.Upgrader{}
	h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		store.Get(r).Data.Sockets++
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		conn.WriteMessage(websocket.TextMessage, []byte("hi"))
		conn.Close()
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.ReadMessage()
	conn.Close()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(lost) != 1 || !errors.Is(lost[0], cookiesession.ErrHijacked) {
		t.Fatalf("reports %v, want one ErrHijacked", lost)
	}
}

// TestCoderAcceptThroughMiddleware upgrades with coder/websocket, which
// writes the 101 through w.WriteHeader (so w.Header(), with the session's
// Set-Cookie, goes out) and then hijacks through http.ResponseController.
func TestCoderAcceptThroughMiddleware(t *testing.T) {
	var lost []error
	var mu sync.Mutex
	store := testStore(t, &lost, &mu)
	h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.User, s.Data.Sockets = "grace", 1
		c, err := coder.Accept(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.CloseNow()
		c.Write(r.Context(), coder.MessageText, []byte("hello "+s.Data.User))
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := coder.Dial(ctx, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	_, msg, err := c.Read(ctx)
	if err != nil || string(msg) != "hello grace" {
		t.Fatalf("read %q %v", msg, err)
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Name != "__Host-session" {
		t.Fatalf("101 cookies %v", cookies)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(cookies[0])
	if s := store.Get(r); s.Data.User != "grace" {
		t.Fatalf("session from the 101 cookie: %+v %v", s.Data, s.Err())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lost) != 0 {
		t.Fatalf("lost changes reported: %v", lost)
	}
}
