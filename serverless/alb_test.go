package serverless_test

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/cookiesession/cookiesession/serverless"
)

var albSingle = platform{
	"ALBSingleValue", serverless.ALBSingleValue, albAdapter,
	func(r request, c []string) any { return albEvent(r, c, false) }, deliverALBSingle,
}

// TestALBSingleValueStartupCheck: options that need several Set-Cookie
// lines per response are refused before the first request.
func TestALBSingleValueStartupCheck(t *testing.T) {
	_, err := serverless.NewHandler(serverless.ALBSingleValue, env(map[string]string{
		serverless.EnvKeys: newKey(t), serverless.EnvExpressKeys: expressSecret,
	}))
	var pe *serverless.PlatformError
	if !errors.Is(err, serverless.ErrPlatform) || !errors.As(err, &pe) || pe.Platform != serverless.ALBSingleValue {
		t.Fatalf("Express migration behind a single-value ALB: %v", err)
	}
	if err := serverless.CheckOptions(serverless.ALBSingleValue, serverless.StoreOptions(serverless.ALBMultiValue)); !errors.Is(err, serverless.ErrPlatform) {
		t.Fatalf("MaxChunks 3 behind a single-value ALB: %v", err)
	}
	for _, p := range []serverless.Platform{serverless.RESTAPI, serverless.HTTPAPI, serverless.FunctionURL, serverless.ALBMultiValue, serverless.CloudFunctions} {
		if err := serverless.CheckOptions(p, serverless.StoreOptions(p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	t.Log(err)
}

// TestALBSingleValueOneCookie: with the options CheckOptions accepts, the
// session works in one cookie, and a session that outgrows it fails the
// save loudly (500, ErrTooLarge) while the browser keeps its intact cookie.
func TestALBSingleValueOneCookie(t *testing.T) {
	h := albAdapter(mustHandler(t, serverless.ALBSingleValue, map[string]string{serverless.EnvKeys: newKey(t)}))
	j := newJar()
	resp := must(invoke(t, albSingle, h, request{"POST", "/login", "user=ada", ""}, j))
	if resp.status != http.StatusOK || len(resp.setCookies) != 1 || j.chunks() != 1 {
		t.Fatalf("login: status %d, Set-Cookie %q", resp.status, resp.setCookies)
	}
	var notes int
	for i := 0; ; i++ {
		if i == 10 {
			t.Fatal("the session never outgrew one cookie")
		}
		before := j.values[sessionName]
		resp = must(invoke(t, albSingle, h, request{"POST", "/note", "", note(800)}, j))
		if resp.status == http.StatusInternalServerError {
			if len(resp.setCookies) != 0 || j.values[sessionName] != before {
				t.Fatalf("a failed save changed the cookie: %q", resp.setCookies)
			}
			break
		}
		notes++
	}
	st := state(t, must(invoke(t, albSingle, h, request{"GET", "/", "", ""}, j)))
	if st.New || st.User != "ada" || len(st.Notes) != notes {
		t.Fatalf("after the refused save: %+v with %d notes, want %d", st.User, len(st.Notes), notes)
	}
}

// TestALBSingleValueRefusesSeveralSetCookies: a handler whose options need
// several lines (a session saved in two chunks), served behind a
// single-value target group without the startup check, fails the
// invocation instead of returning one chunk of two.
func TestALBSingleValueRefusesSeveralSetCookies(t *testing.T) {
	inner := mustHandler(t, serverless.ALBMultiValue, map[string]string{serverless.EnvKeys: newKey(t)})
	payload, _ := json.Marshal(albEvent(request{"POST", "/note", "", note(5000)}, nil, false))
	var ev events.ALBTargetGroupRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	_, err := serverless.NewALB(inner).ProxyWithContext(t.Context(), ev)
	var pe *serverless.PlatformError
	if !errors.As(err, &pe) || !errors.Is(err, serverless.ErrPlatform) || !strings.Contains(err.Error(), "sets 2 cookies") {
		t.Fatalf("2 chunks in single-value mode: %v", err)
	}
	// Through the Lambda runtime library the invocation fails: Lambda
	// reports a function error and the load balancer answers 502.
	if _, err := lambda.NewHandler(serverless.NewALB(inner).ProxyWithContext).Invoke(t.Context(), payload); err == nil {
		t.Fatal("the invocation succeeded")
	}
	t.Log(pe)
}

// captureLog sends the standard logger's output to a buffer until the test
// ends.
func captureLog(t *testing.T) *syncBuffer {
	var buf syncBuffer
	out, flags := log.Writer(), log.Flags()
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(out); log.SetFlags(flags) })
	return &buf
}

// TestALBSingleValueAfterChunks: a browser that holds three chunks from a
// period with multi-value headers (or from a deletion that never arrived)
// reaches a single-value target group. The stale chunks are not read, and
// every save's deletions of them are dropped (and logged), so the session
// works in one cookie instead of failing every save with a 502.
func TestALBSingleValueAfterChunks(t *testing.T) {
	key := newKey(t)
	multi := platforms()[4]
	hm := multi.adapter(mustHandler(t, serverless.ALBMultiValue, map[string]string{serverless.EnvKeys: key}))
	hs := albAdapter(mustHandler(t, serverless.ALBSingleValue, map[string]string{serverless.EnvKeys: key}))
	j := newJar()
	must(invoke(t, multi, hm, request{"POST", "/login", "user=ada", ""}, j))
	for j.chunks() < 3 {
		must(invoke(t, multi, hm, request{"POST", "/note", "", note(800)}, j))
	}
	stale := j.values[sessionName+"~3"]
	logged := captureLog(t)

	// The first chunk alone does not open: a new session, with the reason.
	resp, err := invoke(t, albSingle, hs, request{"GET", "/", "", ""}, j)
	if err != nil {
		t.Fatalf("GET with three chunks: %v", err)
	}
	if st := state(t, resp); !st.New || st.Err == "" || len(resp.setCookies) != 0 {
		t.Fatalf("GET with three chunks: %+v, Set-Cookie %q", st, resp.setCookies)
	}
	resp, err = invoke(t, albSingle, hs, request{"POST", "/login", "user=bob", ""}, j)
	if err != nil || resp.status != http.StatusOK || len(resp.setCookies) != 1 {
		t.Fatalf("login with three chunks: %v, status %d, Set-Cookie %q", err, resp.status, resp.setCookies)
	}
	if c, _ := http.ParseSetCookie(resp.setCookies[0]); c == nil || c.Name != sessionName || c.MaxAge < 0 {
		t.Fatalf("the line kept is %q, want the session's value", resp.setCookies[0])
	}
	// The deletions did not arrive: the stale chunks are still sent, and
	// still ignored.
	if j.chunks() != 3 {
		t.Fatalf("the jar holds %v", j.names)
	}
	if st := state(t, must(invoke(t, albSingle, hs, request{"GET", "/", "", ""}, j))); st.New || st.Err != "" || st.User != "bob" {
		t.Fatalf("after the login: %+v", st)
	}
	resp = must(invoke(t, albSingle, hs, request{"POST", "/note", "", "hello"}, j))
	if st := state(t, must(invoke(t, albSingle, hs, request{"GET", "/", "", ""}, j))); resp.status != http.StatusOK || st.User != "bob" || len(st.Notes) != 1 {
		t.Fatalf("after a note: status %d, %+v", resp.status, st)
	}
	out := logged.String()
	for _, name := range []string{sessionName + "~2", sessionName + "~3"} {
		if strings.Count(out, strconv.Quote(name)) != 2 {
			t.Errorf("log: the deletion of %s is not logged once per save:\n%s", name, out)
		}
	}
	if strings.Contains(out, stale) {
		t.Errorf("log: a cookie value is logged:\n%s", out)
	}
	t.Log(out)
}

// TestALBSingleValueStrayChunkName: a malformed chunk name (NAME~0, which
// the store never writes) is ignored when reading and its deletion is
// dropped, so saves keep working.
func TestALBSingleValueStrayChunkName(t *testing.T) {
	h := albAdapter(mustHandler(t, serverless.ALBSingleValue, map[string]string{serverless.EnvKeys: newKey(t)}))
	j := newJar()
	must(invoke(t, albSingle, h, request{"POST", "/login", "user=ada", ""}, j))
	j.set(sessionName+"~0", "stray")
	logged := captureLog(t)
	resp, err := invoke(t, albSingle, h, request{"POST", "/note", "", "hello"}, j)
	if err != nil || resp.status != http.StatusOK || len(resp.setCookies) != 1 {
		t.Fatalf("note with a stray %s~0: %v, status %d, Set-Cookie %q", sessionName, err, resp.status, resp.setCookies)
	}
	st := state(t, must(invoke(t, albSingle, h, request{"GET", "/", "", ""}, j)))
	if st.New || st.User != "ada" || len(st.Notes) != 1 {
		t.Fatalf("after the note: %+v", st)
	}
	if out := logged.String(); !strings.Contains(out, strconv.Quote(sessionName+"~0")) || strings.Contains(out, "stray") {
		t.Fatalf("log: %s", out)
	}
}

// TestALBSingleValueDestroy: a logout deletes the session's own cookie; the
// deletions of stale chunks are what is dropped.
func TestALBSingleValueDestroy(t *testing.T) {
	h := albAdapter(mustHandler(t, serverless.ALBSingleValue, map[string]string{serverless.EnvKeys: newKey(t)}))
	j := newJar()
	must(invoke(t, albSingle, h, request{"POST", "/login", "user=ada", ""}, j))
	j.set(sessionName+"~2", "stale")
	captureLog(t)
	resp, err := invoke(t, albSingle, h, request{"POST", "/logout", "", ""}, j)
	if err != nil || resp.status != http.StatusOK || len(resp.setCookies) != 1 {
		t.Fatalf("logout: %v, status %d, Set-Cookie %q", err, resp.status, resp.setCookies)
	}
	if c, _ := http.ParseSetCookie(resp.setCookies[0]); c == nil || c.Name != sessionName || c.MaxAge >= 0 {
		t.Fatalf("the line kept is %q, want the deletion of %s", resp.setCookies[0], sessionName)
	}
	if st := state(t, must(invoke(t, albSingle, h, request{"GET", "/", "", ""}, j))); !st.New || st.User != "" {
		t.Fatalf("after the logout: %+v", st)
	}
}

// TestALBSingleValueKeepsOtherDeletions: only the deletions of the kept
// cookie's chunk names are dropped. An application's own cookie deleted on
// the response that sets the session (a logout that clears a remember-me
// cookie) fails loudly, as does a deletion of the kept cookie's own name.
func TestALBSingleValueKeepsOtherDeletions(t *testing.T) {
	for _, lines := range [][]string{
		{sessionName + "=v; Path=/; Secure", "remember=; Max-Age=0; Path=/; Secure"},
		{sessionName + "=; Max-Age=0; Path=/; Secure", "remember=; Max-Age=0; Path=/; Secure"},
		{sessionName + "=v; Path=/; Secure", sessionName + "=; Max-Age=0; Path=/; Secure"},
	} {
		h := serverless.NewALB(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Set-Cookie"] = lines
			w.WriteHeader(http.StatusOK)
		}))
		if _, err := h.ProxyWithContext(t.Context(), albRequest(t, albSingle, request{"GET", "/", "", ""}, nil)); !errors.Is(err, serverless.ErrPlatform) {
			t.Errorf("%q: %v", lines, err)
		}
	}
}

// TestUpstreamALBAdapterSingleValue records why ALB exists: the upstream
// adapter answers a single-value target group's event in
// multiValueHeaders only, which such a target group does not read, so the
// browser gets no Set-Cookie at all (and no Content-Type).
func TestUpstreamALBAdapterSingleValue(t *testing.T) {
	h := lambda.NewHandler(httpadapter.NewALB(mustHandler(t, serverless.ALBSingleValue, map[string]string{serverless.EnvKeys: newKey(t)})).ProxyWithContext)
	payload, _ := json.Marshal(albSingle.event(request{"POST", "/login", "user=ada", ""}, nil))
	raw, err := h.Invoke(t.Context(), payload)
	if err != nil {
		t.Fatal(err)
	}
	r := decode(t, raw)
	if len(r.Headers) != 0 || len(setCookieMulti(r.MultiValueHeaders)) != 1 {
		t.Fatalf("upstream adapter changed: headers %v, multiValueHeaders %v", r.Headers, r.MultiValueHeaders)
	}
	if resp := deliverALBSingle(t, raw); len(resp.setCookies) != 0 {
		t.Fatalf("delivered %q", resp.setCookies)
	}
}

// TestALBSingleValueSetCookieCaseVariants: Set-Cookie lines under header
// names that differ only in case are counted together, and the other
// headers' case variants are merged into one name.
func TestALBSingleValueSetCookieCaseVariants(t *testing.T) {
	h := serverless.NewALB(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Set-Cookie"] = []string{"a=1; Path=/; Secure"}
		w.Header()["set-cookie"] = []string{"b=2; Path=/; Secure"}
		w.WriteHeader(http.StatusOK)
	}))
	ev := albRequest(t, albSingle, request{"GET", "/", "", ""}, nil)
	if _, err := h.ProxyWithContext(t.Context(), ev); !errors.Is(err, serverless.ErrPlatform) {
		t.Fatalf("Set-Cookie and set-cookie, one line each: %v", err)
	}
	h = serverless.NewALB(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Vary"] = []string{"Accept"}
		w.Header()["vary"] = []string{"Cookie"}
		w.WriteHeader(http.StatusOK)
	}))
	resp, err := h.ProxyWithContext(t.Context(), ev)
	if _, split := resp.Headers["vary"]; err != nil || split || resp.Headers["Vary"] != "Accept, Cookie" {
		t.Fatalf("Vary and vary: %v, headers %q", err, resp.Headers)
	}
}

// albRequest is the event the platform sends, as the adapter receives it.
func albRequest(t testing.TB, pl platform, req request, cookieLines []string) events.ALBTargetGroupRequest {
	t.Helper()
	payload, err := json.Marshal(pl.event(req, cookieLines))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.ALBTargetGroupRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestALBQueryNotDecoded: ALB passes query values percent-encoded, as the
// client sent them; the handler sees them decoded once.
func TestALBQueryNotDecoded(t *testing.T) {
	for _, pl := range []platform{platforms()[4], albSingle} {
		h := pl.adapter(mustHandler(t, pl.p, map[string]string{serverless.EnvKeys: newKey(t)}))
		j := newJar()
		resp := must(invoke(t, pl, h, request{"POST", "/login", "user=J%C3%BCrgen%20M&x=a%26b", ""}, j))
		if resp.body != "signed in as Jürgen M\n" {
			t.Errorf("%s: login answered %q", pl.name, resp.body)
		}
		if st := state(t, must(invoke(t, pl, h, request{"GET", "/", "", ""}, j))); st.User != "Jürgen M" {
			t.Errorf("%s: user %q", pl.name, st.User)
		}
	}
}

// TestALBRedirectsPlainHTTP: a request that reached the load balancer over
// an HTTP listener gets 308 to HTTPS and never reaches the handler, whose
// Secure cookie the browser would drop.
func TestALBRedirectsPlainHTTP(t *testing.T) {
	served := 0
	h := serverless.NewALB(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		if r.URL.RawQuery != "user=J%C3%BCrgen%20M" || r.RequestURI != "/login?user=J%C3%BCrgen%20M" {
			t.Errorf("served %q, %q", r.URL.RawQuery, r.RequestURI)
		}
		w.WriteHeader(http.StatusOK)
	}))
	cases := []struct {
		name, proto, host, location string
		status                      int
	}{
		{"http", "http", albHost, "https://" + albHost + "/login?user=J%C3%BCrgen%20M", http.StatusPermanentRedirect},
		{"port", "http", albHost + ":8080", "https://" + albHost + "/login?user=J%C3%BCrgen%20M", http.StatusPermanentRedirect},
		{"last value", "https, http", albHost, "https://" + albHost + "/login?user=J%C3%BCrgen%20M", http.StatusPermanentRedirect},
		{"absent", "", albHost, "https://" + albHost + "/login?user=J%C3%BCrgen%20M", http.StatusPermanentRedirect},
		{"bad host", "http", "evil.example/x", "", http.StatusBadRequest},
		{"https", "https", albHost, "", http.StatusOK},
	}
	for _, multi := range []bool{true, false} {
		for _, c := range cases {
			ev := albEvent(request{"POST", "/login", "user=J%C3%BCrgen%20M", ""}, nil, multi).(map[string]any)
			set := func(k, v string) {
				if multi {
					ev["multiValueHeaders"].(map[string][]string)[k] = []string{v}
				} else {
					ev["headers"].(map[string]string)[k] = v
				}
			}
			set("host", c.host)
			set("x-forwarded-port", "80")
			set("x-forwarded-proto", c.proto)
			if c.proto == "" {
				if multi {
					delete(ev["multiValueHeaders"].(map[string][]string), "x-forwarded-proto")
				} else {
					delete(ev["headers"].(map[string]string), "x-forwarded-proto")
				}
			}
			payload, _ := json.Marshal(ev)
			served = 0
			raw, err := lambda.NewHandler(h.ProxyWithContext).Invoke(t.Context(), payload)
			if err != nil {
				t.Fatalf("%s (multi %v): %v", c.name, multi, err)
			}
			r := decode(t, raw)
			location := r.Headers["Location"]
			if multi {
				location = strings.Join(r.MultiValueHeaders["Location"], ",")
			}
			if wantServed := c.status == http.StatusOK; r.StatusCode != c.status || location != c.location || (served == 1) != wantServed {
				t.Errorf("%s (multi %v): status %d, Location %q, served %d times", c.name, multi, r.StatusCode, location, served)
			}
		}
	}
}
