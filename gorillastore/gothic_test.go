package gorillastore_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/markbates/goth"
	"github.com/markbates/goth/gothic"
	"github.com/markbates/goth/providers/faux"
)

// TestGothicRefusedLoudly runs goth's gothic (v1.82.0), a consumer of
// gorilla's sessions.Store, on a Store (gothic.Store = store) over HTTPS
// with goth's own test provider. gothic keeps its OAuth state gzipped in
// a Go string (updateSessionValue), bytes that are not UTF-8, which JSON
// would give back with U+FFFD in their place: the login would then fail
// at the callback, "could not find a matching session". Save refuses the
// value instead, naming it, and writes no cookie.
func TestGothicRefusedLoudly(t *testing.T) {
	store := newStore(t, cookiesession.Options{})
	saved := gothic.Store
	gothic.Store = store
	t.Cleanup(func() { gothic.Store = saved })
	goth.UseProviders(&faux.Provider{})
	t.Cleanup(goth.ClearProviders)

	srv, c := server(t, gothic.BeginAuthHandler)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(srv.URL + "/auth?provider=faux")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `session value "faux" (string) not saved: not valid UTF-8`) ||
		len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("/auth: %s %q, Set-Cookie %q", resp.Status, body, resp.Header.Values("Set-Cookie"))
	}
}
