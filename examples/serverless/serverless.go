// Package serverless shows the shape most function platforms and their
// adapters expect: one plain func(http.ResponseWriter, *http.Request),
// whose dependencies are built once per cold start and reused by every
// invocation the instance serves. No session database means no connection
// to open at cold start and none to exhaust when the platform scales out.
//
// Wire Handle into the platform's entry point, for example with an adapter
// that turns an API Gateway or function-URL event into an *http.Request and
// calls an http.Handler (http.HandlerFunc(Handle)), or by registering it as
// an HTTP function. This package imports no platform SDK; the module
// github.com/cookiesession/cookiesession/serverless (directory serverless/
// of the repository, docs/SERVERLESS.md) wires the same kind of handler
// through the real Lambda and Cloud Functions adapters.
//
// Configuration comes from the environment:
//
//	COOKIESESSION_KEYS  comma-separated keys, 64 hex digits or 43 characters
//	                    as "cookiesession keygen" prints them; the first
//	                    seals, all open (rotation: put the new key first)
//	HTTPS_ONLY          "true" when the platform's endpoint refuses plain HTTP
package serverless

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/cookiesession/cookiesession"
)

// Session is what the cookie holds.
type Session struct {
	Visits int `json:"visits,omitempty"`
}

var (
	coldStart sync.Once
	handler   http.Handler
	initErr   error
)

// Handle is the function's entry point.
func Handle(w http.ResponseWriter, r *http.Request) {
	coldStart.Do(func() { handler, initErr = Build(os.Getenv) })
	if initErr != nil {
		slog.Error("session store not configured", "err", initErr)
		http.Error(w, "service misconfigured", http.StatusInternalServerError)
		return
	}
	handler.ServeHTTP(w, r)
}

// Build creates the handler from configuration read with getenv.
func Build(getenv func(string) string) (http.Handler, error) {
	keys, err := cookiesession.ParseKeys(getenv("COOKIESESSION_KEYS"))
	if err != nil {
		return nil, fmt.Errorf("COOKIESESSION_KEYS: %w", err)
	}
	opts := cookiesession.Options{
		Keys:   keys,
		Name:   "__Host-session",
		MaxAge: 8 * time.Hour,
	}
	if getenv("HTTPS_ONLY") == "true" {
		// The platform terminates TLS before the function runs; an adapter
		// that builds the request from an event leaves r.TLS nil, and there
		// is no proxy address to list in TrustedProxies. Without this, the
		// __Host- cookie would fail with ErrInsecureRequest.
		opts.Secure = cookiesession.SecureTerminated
	}
	store, err := cookiesession.New[Session](opts)
	if err != nil {
		return nil, err
	}
	return store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.Visits++
		fmt.Fprintf(w, "visits: %d\n", s.Data.Visits)
	})), nil
}
