// Command nethttp serves a session-backed page with the standard library's
// ServeMux: a visit counter, a login that renews the session, a flash
// message, a logout that also revokes copies of the cookie, and "log out
// all devices" (Options.Revocations).
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./nethttp
//
// then open http://localhost:8080/. The cookie is called __Host-session: on
// localhost browsers accept it over plain HTTP; anywhere else it needs
// HTTPS, and the store answers 500 (ErrInsecureRequest) rather than let the
// browser drop it.
package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/memrevoke"
)

// session is what each visitor's cookie holds, as JSON.
type session struct {
	User   string `json:"user,omitempty"`
	Visits int    `json:"visits,omitempty"`
}

// maxLifetime is the longest a session lives: the store's MaxAge, and how
// long the revocation list must remember a cut-off.
const maxLifetime = 12 * time.Hour

// app is the application's wiring: the session store and the list of
// revoked sessions and users it consults on every request. The list is in
// this process's memory, which fits one instance; several instances need a
// cookiesession.Revocations they share.
type app struct {
	store   *cookiesession.Store[session]
	revoked *memrevoke.List
}

// newApp builds the store, sealing with keys, and its revocation list.
func newApp(keys [][]byte) (*app, error) {
	revoked, err := memrevoke.New(memrevoke.Options{MaxAge: maxLifetime})
	if err != nil {
		return nil, err
	}
	store, err := cookiesession.New[session](cookiesession.Options{
		Keys:        keys,
		Name:        "__Host-session",
		MaxAge:      maxLifetime,
		IdleTimeout: 30 * time.Minute,
		Revocations: revoked,
	})
	if err != nil {
		return nil, err
	}
	return &app{store: store, revoked: revoked}, nil
}

// routes returns the application wrapped in the session middleware and in
// the standard library's cross-origin protection for the POST forms.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("POST /logout-all", a.logoutAll)
	return http.NewCrossOriginProtection().Handler(a.store.Middleware(mux))
}

// home counts the visit and shows the flash messages, the user, and a
// notice when the cookie the browser sent was revoked.
func (a *app) home(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	s.Data.Visits++
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if errors.Is(s.Err(), cookiesession.ErrRevoked) {
		fmt.Fprintln(w, "notice: this session was signed out; sign in again")
	}
	for _, msg := range s.Flashes() {
		fmt.Fprintf(w, "flash: %s\n", msg)
	}
	fmt.Fprintf(w, "user: %s\nvisits: %d\n", s.Data.User, s.Data.Visits)
}

// login signs the user in and binds the session to them, so that "log
// out all devices" can find it.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	user := r.FormValue("user")
	if user == "" { // a real application checks a password here
		http.Error(w, "user required", http.StatusBadRequest)
		return
	}
	s := a.store.Get(r)
	s.Data.User = user
	s.Renew() // a privilege change: fresh creation time, identifier and value
	s.SetSubject(user)
	s.AddFlash("welcome, " + user)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends this session. Destroy only asks the browser to drop its
// cookie; revoking the session's identifier also refuses any copy of it.
// Only a signed-in session is revoked: an anonymous one grants nothing, and
// revoking it would let anyone grow the list with GET + POST /logout loops.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	if !s.IsNew() && s.Subject() != "" {
		// Until the end of its absolute lifetime, s.Deadline(): a copy of
		// the cookie used elsewhere may idle out later than this one.
		if err := a.revoked.RevokeSession(s.ID(), s.Deadline()); err != nil {
			log.Print(err) // the list is full: this copy stays valid
			http.Error(w, "sign-out failed, try again later", http.StatusServiceUnavailable)
			return
		}
	}
	s.Destroy()
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logoutAll refuses every session of the signed-in user created until now,
// on every device, then ends this one. Session creation times have
// one-second resolution, so a sign-in within the same second as the
// cut-off is refused too: the safe side.
func (a *app) logoutAll(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	if user := s.Subject(); user != "" {
		if err := a.revoked.RevokeSubject(user, time.Now()); err != nil {
			log.Print(err)
			http.Error(w, "sign-out failed, try again later", http.StatusServiceUnavailable)
			return
		}
	}
	s.Destroy()
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// keys reads COOKIESESSION_KEYS as "cookiesession keygen" prints them
// (several keys separated by commas or whitespace, the newest first), or
// makes a random key whose sessions end with the process.
func keys() [][]byte {
	if list := os.Getenv("COOKIESESSION_KEYS"); list != "" {
		k, err := cookiesession.ParseKeys(list)
		if err != nil {
			log.Fatalf("COOKIESESSION_KEYS: %v", err)
		}
		return k
	}
	log.Print("COOKIESESSION_KEYS not set: using a random key; sessions end with the process")
	return [][]byte{cookiesession.GenerateKey()}
}

func main() {
	a, err := newApp(keys())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Addr:              "localhost:8080",
		Handler:           a.routes(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
