package cookiesession

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// bump is code that has only a context, as a connect-go or huma handler or
// a templ component has: it counts through Store.FromContext.
func bump(ctx context.Context, s *Store[cart]) (*Session[cart], error) {
	sess, ok := s.FromContext(ctx)
	if !ok {
		return nil, fmt.Errorf("no session in the context")
	}
	sess.Data.N++
	return sess, nil
}

// TestFromContext checks that code holding only the request's context (or
// one derived from it) gets the very session Get gives the handler, and
// that the middleware saves what it changed.
func TestFromContext(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		sess, err := bump(ctx, s)
		if err != nil {
			t.Error(err)
			return
		}
		if got := s.Get(r); got != sess {
			t.Errorf("Get(r) = %p, FromContext = %p: two sessions for one request", got, sess)
		}
		fmt.Fprint(w, sess.Data.N)
	}))
	j := jar{}
	for i := 1; i <= 3; i++ {
		if got := j.do(t, h).Body.String(); got != fmt.Sprint(i) {
			t.Fatalf("request %d: body %q", i, got)
		}
	}
}

// TestFromContextOutsideMiddleware checks that FromContext answers false,
// with no session, where this store's middleware does not hold one.
func TestFromContextOutsideMiddleware(t *testing.T) {
	s := newStore[cart](t, Options{})
	other := newStore[cart](t, Options{})
	var ctxs = map[string]context.Context{
		"background": context.Background(),
		"nil":        nil,
	}
	other.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctxs["another store's middleware"] = r.Context()
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	for name, ctx := range ctxs {
		if sess, ok := s.FromContext(ctx); ok || sess != nil {
			t.Errorf("%s: FromContext = %p, %v; want nil, false", name, sess, ok)
		}
	}
}

// TestFromContextConcurrent checks that goroutines of one request all get
// the same session (run with -race).
func TestFromContextConcurrent(t *testing.T) {
	s := newStore[cart](t, Options{})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := make([]*Session[cart], 8)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i], _ = s.FromContext(r.Context()) })
		}
		wg.Wait()
		for i, sess := range got {
			if sess == nil || sess != got[0] {
				t.Errorf("goroutine %d: session %p, goroutine 0: %p", i, sess, got[0])
			}
		}
	}))
	jar{}.do(t, h)
}

// TestGetOtherRequestKeepsSession is the regression test of the
// workaround store.Get((&http.Request{}).WithContext(ctx)): a request that
// carries the middleware's context but not its cookies must get the
// request's real session, never a new, empty one that the handler then
// sees too and the save writes over the client's cookie.
func TestGetOtherRequestKeepsSession(t *testing.T) {
	s := newStore[cart](t, Options{})
	stranger := jar{}
	stranger.do(t, counter(s))
	stranger.do(t, counter(s)) // another client's session, N = 2
	requests := map[string]func(r *http.Request) *http.Request{
		"empty request": func(r *http.Request) *http.Request {
			return (&http.Request{}).WithContext(r.Context())
		},
		"another client's cookie": func(r *http.Request) *http.Request {
			return stranger.request("GET", "/").WithContext(r.Context())
		},
		"clone without cookies": func(r *http.Request) *http.Request {
			c := r.Clone(r.Context())
			c.Header.Del("Cookie")
			return c
		},
	}
	for name, other := range requests {
		t.Run(name, func(t *testing.T) {
			j := jar{}
			for range 5 {
				j.do(t, counter(s)) // N = 5
			}
			h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				first := s.Get(other(r))
				if first.Data.N != 5 || first.IsNew() {
					t.Errorf("Get(other request): N = %d, new %v; want the client's session, N = 5", first.Data.N, first.IsNew())
				}
				sess := s.Get(r)
				if sess != first {
					t.Errorf("Get(r) = %p, Get(other request) = %p: two sessions for one request", sess, first)
				}
				sess.Data.N++
				fmt.Fprint(w, sess.Data.N)
			}))
			if got := j.do(t, h).Body.String(); got != "6" {
				t.Fatalf("body %q, want 6: the client's session was replaced", got)
			}
			if got := j.do(t, counter(s)).Body.String(); got != "7" {
				t.Fatalf("next request: body %q, want 7", got)
			}
		})
	}
}
