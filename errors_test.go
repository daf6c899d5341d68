package cookiesession

import (
	"bytes"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// secretMark is planted in session values, map keys and numbers; no error
// message or log line may contain it (or its digits, 8675309).
const secretMark = "8675309"

// sealRaw seals plaintext for the store's cookie name with key 1.
func sealRaw(t *testing.T, name string, flashes bool, plaintext string) string {
	t.Helper()
	c, err := format.NewCodec(format.XChaCha20Poly1305, false, testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	now := newClock().Now()
	v, err := c.Seal(name, format.Header{Created: now, Sealed: now, Chunks: 1, Flashes: flashes}, []byte(plaintext))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// leakyMarshaler fails with an error that quotes its own value.
type leakyMarshaler struct{ V string }

func (l leakyMarshaler) MarshalJSON() ([]byte, error) {
	return nil, errors.New("cannot encode " + l.V)
}

// TestNoSessionDataInErrors drives every decode and encode error path with
// the secret in the data and checks Err(), EventRejected, the error handler and
// slog's output. encoding/json's messages differ between the v1 and v2
// engines (Go 1.26 and 1.27); CI runs this on both.
func TestNoSessionDataInErrors(t *testing.T) {
	var logBuf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logBuf, nil)))
	defer slog.SetDefault(old)
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		if strings.Contains(err.Error(), secretMark) {
			t.Errorf("%s: error reveals session data: %v", what, err)
		}
	}

	// Opening: authenticated JSON that does not fit the data type.
	type typed struct {
		N    int            `json:"n"`
		M    map[string]int `json:"m"`
		List []bool         `json:"list"`
	}
	var rejected []error
	clk := newClock()
	st := newStore[typed](t, Options{Now: clk.Now, OnEvent: onRejected(func(err error) { rejected = append(rejected, err) })})
	for _, pt := range []string{
		`{"n":"` + secretMark + `"}`,
		`{"n":` + secretMark + `.5}`,
		`{"n":1e` + secretMark + `}`,
		`{"m":{"` + secretMark + `":"x"}}`,
		`{"m":{"k":` + secretMark + `.25}}`,
		`{"list":[` + secretMark + `]}`,
		`["` + secretMark + `"]`,
		`"` + secretMark + `"`,
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: "session", Value: sealRaw(t, "session", false, pt)})
		sess := st.Get(r)
		if !errors.Is(sess.Err(), ErrDecode) {
			t.Errorf("%s: Err() = %v, want ErrDecode", pt, sess.Err())
		}
		check("open "+pt, sess.Err())
	}
	for _, pt := range []string{`[{}, "` + secretMark + `"]`, `[{}, [` + secretMark + `]]`} {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: "session", Value: sealRaw(t, "session", true, pt)})
		check("flashes "+pt, st.Get(r).Err())
	}
	for _, err := range rejected {
		check("EventRejected", err)
	}

	// Saving: data that does not encode, through Save and the middleware.
	ms := newStore[Map](t, Options{})
	for name, v := range map[string]any{
		"NaN":       math.NaN(),
		"Inf":       math.Inf(1),
		"marshaler": leakyMarshaler{V: secretMark},
		"channel":   make(chan int),
	} {
		sess := ms.Get(httptest.NewRequest("GET", "/", nil))
		sess.Data["k"+secretMark] = v
		sess.Data["other"] = secretMark
		err := sess.Save(httptest.NewRecorder())
		if !errors.Is(err, ErrEncode) {
			t.Errorf("%s: Save = %v, want ErrEncode", name, err)
		}
		check("save "+name, err)
		var handled error
		hs := newStore[Map](t, Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			handled = err
			defaultErrorHandler(w, r, err)
		}})
		h := hs.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := hs.Get(r)
			s.Data["k"] = v
			s.Data["other"] = secretMark
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		check("ErrorHandler "+name, handled)
	}

	// A late change whose data does not encode, reported by the default log.
	late := newStore[Map](t, Options{})
	late.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := late.Get(r)
		w.Write([]byte("x"))
		s.Data["v"] = leakyMarshaler{V: secretMark}
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))

	if strings.Contains(logBuf.String(), secretMark) {
		t.Fatalf("log reveals session data:\n%s", logBuf.String())
	}
	if !strings.Contains(logBuf.String(), "session change lost") || !strings.Contains(logBuf.String(), "session not saved") {
		t.Fatalf("expected log lines missing:\n%s", logBuf.String())
	}
}
