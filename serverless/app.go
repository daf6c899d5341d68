package serverless

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate"
)

// Session is what the cookie holds.
type Session struct {
	User   string   `json:"user,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	Visits int      `json:"visits,omitempty"`
}

// State is what GET / answers: the session as the function read it.
type State struct {
	Session
	New bool `json:"new"`
	// Err is why the request's session cookie was rejected, if it was.
	Err string `json:"err,omitempty"`
}

// Environment variables NewHandler reads.
const (
	// EnvKeys holds the master keys, as "cookiesession keygen" prints them,
	// separated by commas or whitespace (cookiesession.ParseKeys): the
	// first seals, all open. Deliver it from a secrets manager.
	EnvKeys = "COOKIESESSION_KEYS"
	// EnvExpressKeys, when set, reads Express cookie-session cookies named
	// "session" signed with these comma-separated keys, and upgrades them.
	EnvExpressKeys = "COOKIESESSION_EXPRESS_KEYS"
)

// NewHandler builds the function's handler for platform p from
// configuration read with getenv: once per cold start, never per
// invocation. It fails if the keys are missing or invalid, or if the
// platform cannot carry what the options need (CheckOptions).
//
// Routes: GET / answers the State as JSON; POST /login?user=NAME signs in
// (with Renew); POST /note appends the request body to Notes; POST /logout
// destroys the session.
func NewHandler(p Platform, getenv func(string) string) (http.Handler, error) {
	keys, err := cookiesession.ParseKeys(getenv(EnvKeys))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvKeys, err)
	}
	o := StoreOptions(p)
	o.Keys = keys
	o.MaxAge = 8 * time.Hour
	if ek := getenv(EnvExpressKeys); ek != "" {
		o.Legacy = []cookiesession.Legacy{&migrate.Express{Name: "session", Keys: strings.Split(ek, ",")}}
	}
	if err := CheckOptions(p, o); err != nil {
		return nil, err
	}
	store, err := cookiesession.New[Session](o)
	if err != nil {
		return nil, err
	}
	return store.Middleware(routes(store)), nil
}

// routes are the function's endpoints.
func routes(store *cookiesession.Store[Session]) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		st := State{Session: s.Data, New: s.IsNew()}
		if err := s.Err(); err != nil {
			st.Err = err.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(st)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Renew()
		s.Data.User = r.URL.Query().Get("user")
		s.Data.Visits++
		fmt.Fprintf(w, "signed in as %s\n", s.Data.User)
	})
	mux.HandleFunc("POST /note", func(w http.ResponseWriter, r *http.Request) {
		note, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
		if err != nil {
			http.Error(w, "cannot read the note", http.StatusBadRequest)
			return
		}
		s := store.Get(r)
		s.Data.Notes = append(s.Data.Notes, string(note))
		s.Data.Visits++
		fmt.Fprintf(w, "%d notes\n", len(s.Data.Notes))
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		store.Get(r).Destroy()
		fmt.Fprintln(w, "signed out")
	})
	return mux
}
