package serverless

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// ALB serves ALB target group events with an http.Handler, in both modes of
// the target group attribute lambda.multi_value_headers.enabled.
//
// It exists because the upstream adapter (httpadapter.NewALB of
// aws-lambda-go-api-proxy v0.16.2) always answers with multiValueHeaders
// and leaves headers empty. A target group without multi-value headers
// reads only headers, so none of the handler's headers, Set-Cookie
// included, reach the client: the session is lost on every response,
// without an error anywhere. ALB answers in the mode the event came in (an
// event with multiValueHeaders comes from a target group that has them),
// and in single-value mode answers with the session cookie's line: the
// deletions of stray chunk cookies that come with it are dropped and logged,
// and a response that sets more than one cookie is refused instead of
// losing all but one. A request that came over an HTTP listener is
// redirected to HTTPS instead of served, since the browser would drop its
// Secure cookies.
//
// In single-value mode exactly one Set-Cookie line is kept, counted across
// header names that differ only in case: the one that sets a value, or the
// first when all are deletions (the store writes its own cookie's line
// first: its value, or its deletion on Destroy). The other lines are
// dropped if they delete the kept cookie's chunk names (__Host-session~2,
// ..., and malformed ones such as __Host-session~0), each logged with
// log.Printf, name only. The store ignores such cookies when it reads (a
// chunk beyond MaxChunks, a name it never writes) and deletes them again on
// every save, so a lost deletion costs bytes on the Cookie line and nothing
// else: a browser that kept three chunks from a period with multi-value
// headers signs in again in one cookie, instead of every save failing. Two
// lines that set a value, or the deletion of any other cookie (an
// application's own, a legacy session's: a logout may depend on it), fail
// the invocation with a *PlatformError: the load balancer answers 502 and
// the error is in the function's log. No value is truncated silently.
//
// ALB reuses the upstream request conversion, and fixes two things in it:
// it fills r.Host from the host header (left empty in multi-value mode),
// and rebuilds the query string from the event's values, which ALB passes
// percent-encoded as the client sent them and the upstream conversion
// escapes a second time (?user=J%C3%BCrgen%20M reached the handler as the
// literal J%C3%BCrgen%20M).
//
// The HTTPS redirect is 308 Permanent Redirect to the same host (without
// its port), path and query, without calling the handler; a request
// without a usable Host gets 400. A redirect rather than an error (and the
// load balancer's 502) keeps the site reachable from an http:// link, and
// 308 keeps a POST's method and body.
type ALB struct {
	handler  http.Handler
	accessor core.RequestAccessorALB
}

// NewALB returns an adapter that serves events with h.
func NewALB(h http.Handler) *ALB { return &ALB{handler: h} }

// ProxyWithContext converts the event into an *http.Request (with the
// upstream adapter's request conversion), serves it, and converts the
// response for the target group's mode. A request that reached the load
// balancer over plain HTTP is not served: it gets 308 Permanent Redirect to
// HTTPS (see redirectHTTPS). In single-value mode, a response
// that sets several cookies (or deletes one that is not a chunk of the
// cookie it sets) fails with a *PlatformError, and the invocation fails (the
// client gets the load balancer's 502), rather than losing a cookie.
func (a *ALB) ProxyWithContext(ctx context.Context, ev events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	req, err := a.accessor.EventToRequestWithContext(ctx, ev)
	if err != nil {
		return events.ALBTargetGroupResponse{}, fmt.Errorf("serverless: converting the ALB event: %w", err)
	}
	if req.Host == "" {
		// In multi-value mode the upstream conversion looks for the host
		// in the single-value map, which is absent.
		req.Host = req.Header.Get("Host")
	}
	// ALB passes the query string's keys and values as the client sent
	// them, percent-encoded; the upstream conversion escapes them again.
	req.URL.RawQuery = rawQuery(ev)
	req.RequestURI = req.URL.RequestURI()
	h := a.handler
	if !forwardedHTTPS(req) {
		h = http.HandlerFunc(redirectHTTPS)
	}
	w := core.NewProxyResponseWriterALB()
	h.ServeHTTP(w, req)
	resp, err := w.GetProxyResponse()
	if err != nil {
		return resp, fmt.Errorf("serverless: building the ALB response: %w", err)
	}
	if ev.MultiValueHeaders != nil {
		return resp, nil
	}
	return singleValue(resp)
}

// forwardedHTTPS reports whether the client reached the load balancer over
// HTTPS: the last X-Forwarded-Proto value, which ALB sets, is https.
func forwardedHTTPS(r *http.Request) bool {
	values := r.Header.Values("X-Forwarded-Proto")
	if len(values) == 0 {
		return false
	}
	v := values[len(values)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(v), "https")
}

// redirectHTTPS answers a request that came over plain HTTP (an HTTP
// listener) with 308 Permanent Redirect to the same host, path and query
// over HTTPS, on the default port, without serving it.
//
// The handler is not run because every cookie it would set is Secure
// (SecureTerminated; a __Host- name needs it), and a browser drops a Secure
// cookie that arrives over HTTP without a word: the session would be lost on
// every response. A redirect rather than an error (a *PlatformError, a 502)
// keeps the site reachable for a user who typed http://, as an HTTP
// listener's redirect rule would; 308 keeps the method and body of a POST.
// The request is not answered either way over plain HTTP, and the request's
// Secure cookies never came with it.
func redirectHTTPS(w http.ResponseWriter, r *http.Request) {
	host := r.Header.Get("Host") // as sent: the upstream conversion parses it into the URL
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h // the HTTP listener's port
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" || strings.ContainsFunc(host, func(c rune) bool {
		return c <= ' ' || c >= 0x7f || strings.ContainsRune("/\\@?#%[]", c)
	}) {
		http.Error(w, "this site is served over HTTPS only", http.StatusBadRequest)
		return
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	target := "https://" + host + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusPermanentRedirect)
}

// rawQuery rebuilds the query string from the event's parameters, which ALB
// does not decode: the keys in sorted order (the event's maps keep no
// order), a key's values in the order they came.
func rawQuery(ev events.ALBTargetGroupRequest) string {
	params := ev.MultiValueQueryStringParameters
	if len(params) == 0 {
		params = make(map[string][]string, len(ev.QueryStringParameters))
		for k, v := range ev.QueryStringParameters {
			params[k] = []string{v}
		}
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range params[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}

// singleValue moves a response's headers from multiValueHeaders to headers,
// one value per name. Names that differ only in case are one header (RFC
// 9110 §5.1), merged under the canonical name. Values of a repeated header
// other than Set-Cookie are joined with ", " (RFC 9110 §5.3); Set-Cookie
// lines cannot be (RFC 6265 §3), so one of several is kept (oneSetCookie).
func singleValue(resp events.ALBTargetGroupResponse) (events.ALBTargetGroupResponse, error) {
	names := make([]string, 0, len(resp.MultiValueHeaders))
	for name := range resp.MultiValueHeaders {
		names = append(names, name)
	}
	slices.Sort(names) // a fixed order for the values of case variants
	merged := make(map[string][]string, len(names))
	for _, name := range names {
		key := textproto.CanonicalMIMEHeaderKey(name)
		merged[key] = append(merged[key], resp.MultiValueHeaders[name]...)
	}
	headers := make(map[string]string, len(merged))
	for name, values := range merged {
		if name == "Set-Cookie" && len(values) > 1 {
			line, err := oneSetCookie(values)
			if err != nil {
				return events.ALBTargetGroupResponse{}, err
			}
			values = []string{line}
		}
		headers[name] = strings.Join(values, ", ")
	}
	resp.Headers, resp.MultiValueHeaders = headers, nil
	return resp, nil
}

// oneSetCookie picks the one Set-Cookie line of several that a
// single-value target group can carry, or fails with a *PlatformError.
//
// The line kept is the one that sets a value, or the first when every line
// is a deletion: the store writes its own cookie's line first (its value,
// or its deletion on Destroy), then the deletions of the chunk cookies
// (NAME~2, ...) and of the malformed chunk names (NAME~0, ...) the request
// carried or a save may have left. Those deletions are dropped, each one
// logged: the store ignores such cookies when it reads (a chunk beyond
// MaxChunks, a name it never writes) and deletes them again on the next
// save, so losing the deletion costs bytes on the Cookie line and nothing
// else. Refusing the response instead would fail every save for as long as
// the browser holds the stray cookie.
//
// Anything else is refused: two lines that set a value (one would be
// lost), or the deletion of a cookie outside the kept cookie's chunk names
// (an application's own cookie, a legacy session's: its deletion may
// matter, as on a logout).
func oneSetCookie(lines []string) (string, error) {
	type cookieLine struct {
		name     string
		deletion bool
	}
	parsed := make([]cookieLine, len(lines))
	keep, values := 0, 0
	for i, l := range lines {
		name, _, _ := strings.Cut(l, "=")
		parsed[i].name = strings.TrimSpace(name)
		c, err := http.ParseSetCookie(l)
		parsed[i].deletion = err == nil && c.MaxAge < 0 // Max-Age=0 (or negative)
		if !parsed[i].deletion {
			if values == 0 {
				keep = i
			}
			values++
		}
	}
	if values > 1 {
		return "", &PlatformError{ALBSingleValue, fmt.Sprintf(
			"the response sets %d cookies and a target group without multi-value headers returns one Set-Cookie line; "+
				"enable lambda.multi_value_headers.enabled and use platform alb, or use MaxChunks 1 and no legacy migration (CheckOptions)", values)}
	}
	kept := parsed[keep].name
	for i, c := range parsed {
		if i == keep {
			continue
		}
		if c.name == kept || !strings.HasPrefix(c.name, kept+"~") {
			return "", &PlatformError{ALBSingleValue, fmt.Sprintf(
				"the response deletes cookie %q besides its line for %q, and a target group without multi-value headers returns one Set-Cookie line "+
					"(only the deletions of %q's chunk cookies, %s~N, can be dropped); enable lambda.multi_value_headers.enabled and use platform alb",
				c.name, kept, kept, kept)}
		}
	}
	for i, c := range parsed {
		if i != keep {
			log.Printf("serverless: alb-single: dropped the Set-Cookie line deleting %q: a target group without multi-value headers returns one line, the one for %q", c.name, kept)
		}
	}
	return lines[keep], nil
}
