package cookiesession_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/memrevoke"
)

// newKey returns a random 32-byte key. A real deployment loads its keys
// from a secret store, so that every instance and every restart shares
// them ("cookiesession keygen" prints one; ParseKeys reads it).
func newKey() []byte { return cookiesession.GenerateKey() }

// browser returns a client that keeps cookies like a browser, and a
// function that GETs a path of srv with it and returns the body.
func browser(srv *httptest.Server) func(path string) string {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	return func(path string) string {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.TrimSpace(string(b))
	}
}

// A typed session: the store encodes a Go type as JSON in the cookie, and
// the middleware writes the cookie back when the handler changed it.
func ExampleNew() {
	type Cart struct {
		Items []string `json:"items"`
	}
	store, err := cookiesession.New[Cart](cookiesession.Options{Keys: [][]byte{newKey()}})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/add", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.Items = append(s.Data.Items, r.URL.Query().Get("item"))
		fmt.Fprintln(w, strings.Join(s.Data.Items, ", "))
	})
	srv := httptest.NewServer(store.Middleware(mux))
	defer srv.Close()

	get := browser(srv)
	fmt.Println(get("/add?item=tea"))
	fmt.Println(get("/add?item=milk"))
	// Output:
	// tea
	// tea, milk
}

// An untyped session, as in Express's req.session: Data is a map that is
// ready to use in a new session. Numbers come back as json.Number, exact at
// any size; Data.Int reads one, or the Go number this request stored.
func ExampleMap() {
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{newKey()}})
	if err != nil {
		panic(err)
	}
	h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		views, _ := s.Data.Int("views") // 0, false on the first visit
		s.Data["views"] = views + 1
		fmt.Fprintf(w, "views: %v", s.Data["views"])
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := browser(srv)
	fmt.Println(get("/"))
	fmt.Println(get("/"))
	// Output:
	// views: 1
	// views: 2
}

// Save writes the cookie now and returns why it cannot, so a handler can
// answer a session that outgrew its cookie itself instead of leaving it to
// Options.ErrorHandler. On error nothing is written: the browser keeps the
// cookie it has.
func ExampleSession_Save() {
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{newKey()}})
	if err != nil {
		panic(err)
	}
	h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data["note"] = strings.Repeat("x", 5000) // more than one cookie holds
		if err := s.Save(w); errors.Is(err, cookiesession.ErrTooLarge) {
			var tl *cookiesession.TooLargeError
			errors.As(err, &tl)
			fmt.Printf("too large: over the %d-byte budget of one cookie\n", tl.Limit)
			delete(s.Data, "note") // keep the session as it was
			http.Error(w, "note too long", http.StatusRequestEntityTooLarge)
			return
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/notes", nil))
	fmt.Println(rec.Code, len(rec.Result().Cookies()))
	// Output:
	// too large: over the 4092-byte budget of one cookie
	// 413 0
}

// Key rotation: deploy the new key after the old one (every instance can
// then open what the new key seals), then first; keep the old key until the
// sessions it sealed have expired (Options.MaxAge). A session opened with
// the old key is re-sealed with the new one on the same response.
func ExampleOptions_keyRotation() {
	oldKey, newKey := newKey(), newKey()
	type Visits struct{ N int }
	handler := func(store *cookiesession.Store[Visits]) http.Handler {
		return store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := store.Get(r)
			if r.URL.Query().Has("count") {
				s.Data.N++ // before writing: the response carries the cookie
			}
			fmt.Fprintf(w, "visits: %d", s.Data.N)
		}))
	}
	before, _ := cookiesession.New[Visits](cookiesession.Options{Keys: [][]byte{oldKey}})
	during, _ := cookiesession.New[Visits](cookiesession.Options{Keys: [][]byte{newKey, oldKey}})
	after, _ := cookiesession.New[Visits](cookiesession.Options{Keys: [][]byte{newKey}})

	// One visitor's cookie, sealed with the old key.
	r := httptest.NewRequest("GET", "/?count", nil)
	rec := httptest.NewRecorder()
	handler(before).ServeHTTP(rec, r)
	oldCookie := rec.Result().Cookies()[0]

	// The rotated store opens it and re-seals it, though nothing changed.
	r = httptest.NewRequest("GET", "/", nil)
	r.AddCookie(oldCookie)
	rec = httptest.NewRecorder()
	handler(during).ServeHTTP(rec, r)
	resealed := rec.Result().Cookies()[0]
	fmt.Println(rec.Body, "- re-sealed:", resealed.Value != oldCookie.Value)

	// Once the old key is gone, only the re-sealed cookie still opens.
	for _, c := range []*http.Cookie{oldCookie, resealed} {
		r = httptest.NewRequest("GET", "/", nil)
		r.AddCookie(c)
		s := after.Get(r)
		fmt.Println(s.Data.N, errors.Is(s.Err(), cookiesession.ErrUnknownKey))
	}
	// Output:
	// visits: 1 - re-sealed: true
	// 0 true
	// 1 false
}

// Login renews the session: it keeps the data, gets a fresh creation time
// (so a fresh MaxAge) and a new cookie value. Logout destroys it: the
// response expires the cookie and the data is gone. Destroy does not revoke
// a copy of the value taken earlier; docs/THREAT-MODEL.md shows how to add that.
func ExampleSession_Renew() {
	type Account struct {
		User string `json:"user,omitempty"`
	}
	store, _ := cookiesession.New[Account](cookiesession.Options{Keys: [][]byte{newKey()}})
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.User = r.URL.Query().Get("user") // after checking a password
		s.Renew()
		fmt.Fprint(w, "signed in as ", s.Data.User)
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		store.Get(r).Destroy()
		fmt.Fprint(w, "signed out")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if u := store.Get(r).Data.User; u != "" {
			fmt.Fprint(w, "hello, ", u)
			return
		}
		fmt.Fprint(w, "hello, stranger")
	})
	srv := httptest.NewServer(store.Middleware(mux))
	defer srv.Close()

	get := browser(srv)
	fmt.Println(get("/login?user=ada"))
	fmt.Println(get("/"))
	fmt.Println(get("/logout"))
	fmt.Println(get("/"))
	// Output:
	// signed in as ada
	// hello, ada
	// signed out
	// hello, stranger
}

// Flashes are messages for the next request, read once: a redirect after a
// form post is the usual use.
func ExampleSession_AddFlash() {
	store, _ := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{newKey()}})
	mux := http.NewServeMux()
	mux.HandleFunc("/save", func(w http.ResponseWriter, r *http.Request) {
		store.Get(r).AddFlash("settings saved")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "flashes: %q", store.Get(r).Flashes())
	})
	srv := httptest.NewServer(store.Middleware(mux))
	defer srv.Close()

	get := browser(srv)
	fmt.Println(get("/save")) // follows the redirect
	fmt.Println(get("/"))
	// Output:
	// flashes: ["settings saved"]
	// flashes: []
}

// Flash messages by category, as connect-flash's req.flash('error', msg):
// each category is read on its own, the others stay queued.
func ExampleSession_AddFlashTo() {
	store, _ := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{newKey()}})
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.AddFlashTo("error", "wrong password")
		s.AddFlashTo("info", "3 attempts left")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "errors: %q", store.Get(r).FlashesOf("error"))
	})
	mux.HandleFunc("/info", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "info: %q", store.Get(r).FlashesOf("info"))
	})
	srv := httptest.NewServer(store.Middleware(mux))
	defer srv.Close()

	get := browser(srv)
	fmt.Println(get("/login")) // follows the redirect
	fmt.Println(get("/"))
	fmt.Println(get("/info"))
	// Output:
	// errors: ["wrong password"]
	// errors: []
	// info: ["3 attempts left"]
}

// Lifecycle events logged with log/slog, as OWASP asks (creation, renewal,
// destruction), with "remember me" through a per-session lifetime and
// "log out everywhere" through a revocation list.
func Example_lifecycleEvents() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a stable output for the example
			}
			return a
		},
	}))
	revoked, err := memrevoke.New(memrevoke.Options{MaxAge: 30 * 24 * time.Hour})
	if err != nil {
		panic(err)
	}
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{
		Keys:          [][]byte{newKey()},
		MaxAgeCeiling: 30 * 24 * time.Hour,
		Revocations:   revoked,
		OnEvent: func(ctx context.Context, e cookiesession.Event) {
			logger.InfoContext(ctx, "session", "event", e.Kind.String(), "refused", errors.Is(e.Err, cookiesession.ErrRevoked))
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data["user"] = "ada"
		s.SetSubject("user-42")
		if err := s.SetMaxAge(30 * 24 * time.Hour); err != nil { // "remember me"
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/renew", func(w http.ResponseWriter, r *http.Request) { store.Get(r).Renew() })
	mux.HandleFunc("/everywhere", func(w http.ResponseWriter, r *http.Request) {
		if err := revoked.RevokeSubject(store.Get(r).Subject(), time.Now().Add(time.Second)); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		fmt.Fprintln(w, s.Data["user"], errors.Is(s.Err(), cookiesession.ErrRevoked))
	})
	srv := httptest.NewServer(store.Middleware(mux))
	defer srv.Close()

	get := browser(srv)
	get("/login")
	get("/renew")
	fmt.Println(get("/whoami"))
	get("/everywhere")
	fmt.Println(get("/whoami"))
	// Output:
	// level=INFO msg=session event=created refused=false
	// level=INFO msg=session event=renewed refused=false
	// ada false
	// level=INFO msg=session event=rejected refused=true
	// <nil> true
}

// The request-independent core, as an adapter to another server framework
// uses it: Open reads the session from the request's Cookie header lines,
// Commit returns the Set-Cookie lines to send. The adapter decides whether
// the request arrived over HTTPS.
func ExampleStore_Open() {
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{newKey()}})
	if err != nil {
		panic(err)
	}
	// First request: no cookie.
	s := store.Open(cookiesession.Request{HTTPS: true, Host: "example.com"})
	s.Data["user"] = "ada"
	u, err := s.Commit()
	if err != nil {
		panic(err) // ErrTooLarge, ErrInsecureRequest, ErrEncode: answer an error
	}
	cookie, _, _ := strings.Cut(u.SetCookie[0], ";") // what the browser sends back

	// Next request: the browser sends the cookie; nothing changes, so
	// there is nothing to send.
	s = store.Open(cookiesession.Request{Cookie: []string{cookie}, HTTPS: true})
	fmt.Println(s.IsNew(), s.Data["user"])
	u, _ = s.Commit()
	fmt.Println(len(u.SetCookie))
	// Output:
	// false ada
	// 0
}

// Session.Commit returns the lines to send; Update.Apply puts them in a
// net/http header, with the cache headers a response that sets a cookie
// needs.
func ExampleSession_Commit() {
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{newKey()}, Secure: cookiesession.SecureAlways})
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest("GET", "http://example.com/", nil) // plain HTTP
	s := store.Open(store.Request(r))
	s.Data["user"] = "ada"
	_, err = s.Commit()
	fmt.Println(errors.Is(err, cookiesession.ErrInsecureRequest))

	r = httptest.NewRequest("GET", "https://example.com/", nil)
	s = store.Open(store.Request(r))
	s.Data["user"] = "ada"
	u, err := s.Commit()
	if err != nil {
		panic(err)
	}
	h := http.Header{}
	u.Apply(h)
	fmt.Println(len(h["Set-Cookie"]), h.Get("Vary"), h.Get("Cache-Control"))
	// Output:
	// true
	// 1 Cookie private, no-cache="Set-Cookie"
}

// An adapter whose framework sends the response header before a body
// writer runs commits before the header goes out, and, once the writer is
// done, reports what it changed too late: through Options.OnEvent, or
// slog's default logger when OnEvent is nil.
func ExampleSession_ReportLostChange() {
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{
		Keys: [][]byte{newKey()},
		OnEvent: func(_ context.Context, e cookiesession.Event) {
			if e.Kind == cookiesession.EventLostChange {
				fmt.Println("event:", e.Err.(*cookiesession.LostChangeError).What)
			}
		},
	})
	if err != nil {
		panic(err)
	}
	s := store.Open(cookiesession.Request{HTTPS: true, Host: "example.com"})
	s.Data["user"] = "ada"
	u, err := s.Commit() // then send the header with u.SetCookie
	if err != nil {
		panic(err)
	}
	fmt.Println(len(u.SetCookie), "line sent")

	s.AddFlash("welcome") // the body writer changes the session: too late
	err = s.ReportLostChange(context.Background(), cookiesession.ErrAlreadyWritten)
	fmt.Println(errors.Is(err, cookiesession.ErrAlreadyWritten))
	// Output:
	// 1 line sent
	// event: flash messages
	// true
}

// Code that receives only a context (a connect-go or huma handler, a templ
// component) reaches the request's session with FromContext: the same
// session Get gives the handler, saved by the middleware.
func ExampleStore_FromContext() {
	type Prefs struct {
		Theme string `json:"theme"`
	}
	store, err := cookiesession.New[Prefs](cookiesession.Options{Keys: [][]byte{newKey()}})
	if err != nil {
		panic(err)
	}
	// setTheme has no request, only its context.
	setTheme := func(ctx context.Context, theme string) error {
		s, ok := store.FromContext(ctx)
		if !ok {
			return errors.New("no session: call under store.Middleware")
		}
		s.Data.Theme = theme
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/theme", func(w http.ResponseWriter, r *http.Request) {
		if t := r.URL.Query().Get("set"); t != "" {
			if err := setTheme(r.Context(), t); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		fmt.Fprintln(w, "theme:", store.Get(r).Data.Theme)
	})
	srv := httptest.NewServer(store.Middleware(mux))
	defer srv.Close()

	get := browser(srv)
	fmt.Println(get("/theme?set=dark"))
	fmt.Println(get("/theme"))
	fmt.Println(setTheme(context.Background(), "light")) // outside the middleware
	// Output:
	// theme: dark
	// theme: dark
	// no session: call under store.Middleware
}
