package serverless_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/serverless"
)

// formatEvent is one EVENT_FORMAT with the event its platform sends and the
// way the platform reads the response.
type formatEvent struct {
	format  string
	host    string
	event   func(req request, cookieLines []string) any
	deliver func(t testing.TB, raw []byte) response
}

func formatEvents() []formatEvent {
	return []formatEvent{
		{"rest", apiDomain, func(r request, c []string) any { return restEvent(r, c, true) }, deliverREST},
		{"http", apiDomain, func(r request, c []string) any { return v2Event(r, c, apiDomain) }, deliverV2},
		{"url", urlDomain, func(r request, c []string) any { return v2Event(r, c, urlDomain) }, deliverURL},
		{"alb", albHost, func(r request, c []string) any { return albEvent(r, c, true) }, deliverALBMulti},
		{"alb-single", albHost, func(r request, c []string) any { return albEvent(r, c, false) }, deliverALBSingle},
	}
}

// echoed is what the echo handler saw.
type echoed struct {
	Method, Path, User, Host, Cookie string
}

// echo answers what the request carried, and sets one cookie.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	c, _ := r.Cookie("a")
	e := echoed{r.Method, r.URL.Path, r.URL.Query().Get("user"), r.Host, ""}
	if c != nil {
		e.Cookie = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: "b", Value: "2", Path: "/", Secure: true})
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(e)
})

// TestLambdaHandlerFormats: every EVENT_FORMAT, through the handler
// cmd/lambda starts, serves its platform's event: method, path, decoded
// query, host and cookies reach the handler, and its Set-Cookie line
// reaches the browser. For alb the host is filled from the multi-value
// headers, and for alb-single the line is in headers: the upstream ALB
// adapter does neither.
func TestLambdaHandlerFormats(t *testing.T) {
	for _, fe := range formatEvents() {
		t.Run(fe.format, func(t *testing.T) {
			p, err := serverless.ParsePlatform(fe.format)
			if err != nil {
				t.Fatal(err)
			}
			h, err := serverless.LambdaHandler(p, echo)
			if err != nil {
				t.Fatal(err)
			}
			payload, _ := json.Marshal(fe.event(request{"POST", "/login", "user=J%C3%BCrgen%20M", "x"}, []string{"a=1; c=3"}))
			raw, err := h.Invoke(t.Context(), payload)
			if err != nil {
				t.Fatal(err)
			}
			resp := fe.deliver(t, raw)
			var got echoed
			if err := json.Unmarshal([]byte(resp.body), &got); err != nil {
				t.Fatalf("status %d, body %q", resp.status, resp.body)
			}
			if want := (echoed{"POST", "/login", "Jürgen M", fe.host, "1"}); got != want {
				t.Errorf("the handler saw %+v, want %+v", got, want)
			}
			if len(resp.setCookies) != 1 || !strings.HasPrefix(resp.setCookies[0], "b=2;") {
				t.Errorf("Set-Cookie %q", resp.setCookies)
			}
		})
	}
	for _, f := range []string{"gcf"} {
		p, _ := serverless.ParsePlatform(f)
		if _, err := serverless.LambdaHandler(p, echo); err == nil {
			t.Errorf("%s: no error", f)
		}
	}
	if _, err := serverless.LambdaHandler(0, echo); err == nil {
		t.Error("Platform(0): no error")
	}
}

// TestLambdaHandlerWrongEventFormat: an event of another platform fails the
// invocation with an error that names the expected and the seen shapes,
// instead of being served as a wrong request. alb-single takes both ALB
// modes.
func TestLambdaHandlerWrongEventFormat(t *testing.T) {
	seen := map[string]string{
		"rest": "payload 1.0", "http": "payload 2.0", "url": "payload 2.0",
		"alb": "ALB event with multiValueHeaders", "alb-single": "ALB event without multiValueHeaders",
	}
	for _, handler := range formatEvents() {
		p, _ := serverless.ParsePlatform(handler.format)
		h, err := serverless.LambdaHandler(p, echo)
		if err != nil {
			t.Fatal(err)
		}
		for _, sent := range formatEvents() {
			payload, _ := json.Marshal(sent.event(request{"GET", "/", "", ""}, nil))
			_, err := h.Invoke(t.Context(), payload)
			fits := sent.format == handler.format ||
				sent.format == "http" && handler.format == "url" || sent.format == "url" && handler.format == "http" ||
				sent.format == "alb" && handler.format == "alb-single"
			switch {
			case fits && err != nil:
				t.Errorf("EVENT_FORMAT %s, %s event: %v", handler.format, sent.format, err)
			case !fits && (!errors.Is(err, serverless.ErrEventFormat) || !strings.Contains(err.Error(), "EVENT_FORMAT "+handler.format+" expects") || !strings.Contains(err.Error(), seen[sent.format])):
				t.Errorf("EVENT_FORMAT %s, %s event: %v", handler.format, sent.format, err)
			}
			if !fits && sent.format == "http" && handler.format == "rest" {
				t.Log(err)
			}
		}
	}
	h, _ := serverless.LambdaHandler(serverless.RESTAPI, echo)
	if _, err := h.Invoke(t.Context(), []byte(`{"body":"x"}`)); !errors.Is(err, serverless.ErrEventFormat) || !strings.Contains(err.Error(), "none of these shapes") {
		t.Errorf("an event of no known shape: %v", err)
	}
}
