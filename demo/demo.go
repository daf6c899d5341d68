// Package demo is a small web application built on cookiesession, for
// trying the library in a browser: one page shows the session's JSON, the
// size of each session cookie against the limits and the chunk count, with
// buttons that change the session. The command `cookiesession demo` serves
// it; tests build it with Handler.
//
// Routes:
//
//	GET  /         the page
//	GET  /state    the same figures as JSON (for scripts and tests): name,
//	               data, new, chunks, cookies ([{name, bytes}]), total,
//	               cookieLimit, totalLimit, maxChunks, reject, created,
//	               expires, events ({kind: count} for every EventKind, as
//	               EventKind.String names it)
//	POST /inc      increment the counter
//	POST /add      add about 1 KB of random data (the session grows, chunks,
//	               then exceeds the limits and the error page answers, with
//	               500 Internal Server Error: see below)
//	POST /login    log in as the form field "username" (Session.Renew,
//	               Session.SetSubject)
//	POST /logout   log out: revoke the session's ID in the demo's
//	               in-memory revocation list when it is logged in, so a
//	               copy of its cookie is refused, then Session.Destroy
//	POST /destroy  destroy the session (Session.Destroy only: a copy of
//	               its cookie taken before still opens)
//
// Each action leaves its message as a flash (Session.AddFlash) that the
// page shows once.
//
// Elements a browser test can rely on: the buttons #inc, #add, #login,
// #logout and #destroy; the field #username; #session-json (the session's
// data as JSON), #chunks (the number of session cookies the browser holds
// after the page's response; /state counts those of its request), #sizes
// (a table with one tr.cookie per session cookie, carrying data-name and
// data-bytes, and tr#total), #counter, #user, #message and #reject;
// #events (a table with one tr.event per kind of lifecycle event, carrying
// data-kind and data-count); on the error page #error, the link #back and,
// for a session too large to save, #too-large.
//
// The event counts are those of Options.OnEvent since the server started,
// over every browser it served: the demo keeps them in memory, per Handler.
//
// A session too large to save gets 500, not 413 Content Too Large: the
// request was small, and it is the server that refuses to store the state
// it built (errorPage explains the choice).
//
// Cross-site form posts are refused by http.CrossOriginProtection (which
// checks Sec-Fetch-Site and Origin), on top of the session cookie's
// SameSite=Lax.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/memrevoke"
)

// Demo defaults for zero fields of the options given to Handler: a
// per-cookie budget of half the usual, so that a few presses of "add" split
// the session into DefaultMaxChunks cookies, while all of them together stay
// under the library's default MaxTotalBytes (6,144), which proxies, curl and browsers
// all pass on.
const (
	// DefaultMaxChunks is the demo's Options.MaxChunks.
	DefaultMaxChunks = 3
	// DefaultMaxCookieBytes is the demo's Options.MaxCookieBytes.
	DefaultMaxCookieBytes = 2048
)

const (
	// addBytes is how much data one press of "add" stores.
	addBytes = 1024
	// maxUserName is the longest user name the login form accepts.
	maxUserName = 32
)

// data is the demo's session.
type data struct {
	Counter int      `json:"counter"`
	User    string   `json:"user,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// app is the demo's state: the store, its resolved limits, the event
// counts and the revocation list that Log out adds to.
type app struct {
	store       *cookiesession.Store[data]
	events      *eventCounts
	revoked     *memrevoke.List
	maxAge      time.Duration
	name        string
	cookieLimit int
	totalLimit  int
	maxChunks   int
}

// Handler returns the demo application for opts. Options.Keys is required.
// Zero fields get the library's defaults, except MaxChunks
// (DefaultMaxChunks), MaxCookieBytes (DefaultMaxCookieBytes), Revocations
// (a new in-memory memrevoke.List, which Log out adds to) and
// ErrorHandler: a page that shows the error and says that the previous
// session is intact. Options.Revocations, if set, must be a
// *memrevoke.List. Options.OnEvent, if set, is called after
// the demo has counted each event. It returns the error of
// cookiesession.New when the options are invalid.
//
// With the demo's defaults, the second press of "add" splits the session
// into two cookies, the third into three, the fourth passes the size warning
// (80% of MaxTotalBytes) and the fifth exceeds the limits.
func Handler(opts cookiesession.Options) (http.Handler, error) {
	events := &eventCounts{}
	opts, err := withDefaults(opts, events)
	if err != nil {
		return nil, err
	}
	a := newApp(events, opts)
	if opts.ErrorHandler == nil {
		opts.ErrorHandler = a.errorPage
	}
	if a.store, err = cookiesession.New[data](opts); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.page)
	mux.HandleFunc("GET /state", a.state)
	mux.HandleFunc("POST /inc", a.inc)
	mux.HandleFunc("POST /add", a.add)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("POST /destroy", a.destroy)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		renderError(w, http.StatusForbidden, "Cross-origin request refused: the form must be posted from this site.", false, "")
	}))
	return securityHeaders(csrf.Handler(a.store.Middleware(mux))), nil
}

// withDefaults fills the zero fields of opts that the demo has its own
// defaults for (ErrorHandler aside, which needs the app), and makes OnEvent
// count into events before it calls the caller's OnEvent, if any.
func withDefaults(opts cookiesession.Options, events *eventCounts) (cookiesession.Options, error) {
	if opts.MaxChunks == 0 {
		opts.MaxChunks = DefaultMaxChunks
	}
	if opts.MaxCookieBytes == 0 {
		opts.MaxCookieBytes = DefaultMaxCookieBytes
	}
	if opts.MaxAge == 0 {
		opts.MaxAge = bounds.DefaultMaxAge
	}
	switch opts.Revocations.(type) {
	case nil:
		list, err := memrevoke.New(memrevoke.Options{MaxAge: max(opts.MaxAge, opts.MaxAgeCeiling)})
		if err != nil {
			return opts, err
		}
		opts.Revocations = list
	case *memrevoke.List:
	default:
		return opts, fmt.Errorf("%w: the demo's Log out revokes through a *memrevoke.List; Options.Revocations is a %T", cookiesession.ErrInvalidOptions, opts.Revocations)
	}
	next := opts.OnEvent
	opts.OnEvent = func(ctx context.Context, e cookiesession.Event) {
		events.add(e.Kind)
		if next != nil {
			next(ctx, e)
		}
	}
	return opts, nil
}

// newApp returns the app for opts (after withDefaults), without its store.
func newApp(events *eventCounts, opts cookiesession.Options) *app {
	a := &app{events: events, name: opts.Name, maxChunks: opts.MaxChunks,
		revoked: opts.Revocations.(*memrevoke.List), maxAge: opts.MaxAge}
	if a.name == "" {
		a.name = bounds.DefaultName
	}
	// The store does not expose its resolved limits; these follow the
	// defaults documented on Options.
	a.cookieLimit = opts.MaxCookieBytes
	a.totalLimit = opts.MaxTotalBytes
	if a.totalLimit == 0 {
		a.totalLimit = bounds.DefaultMaxTotalBytes
		if a.maxChunks == 1 {
			a.totalLimit = a.cookieLimit
		}
	}
	return a
}

// securityHeaders sets headers that suit every page of the demo: no
// scripts, no framing, forms only to this origin.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// Messages the page shows once, as flashes, after an action.
const (
	msgInc       = "Counter incremented."
	msgAdded     = "Added 1 KB of data."
	msgLogin     = "Logged in. Renew gave the session a new creation time and a new cookie value; SetSubject bound it to the user."
	msgLogout    = "Logged out: the session's ID is revoked on this server, so a copy of its cookie taken before is refused, and Destroy expired every session cookie."
	msgLogoutNew = "Logged out: you were not logged in, so nothing was revoked; Destroy expired every session cookie."
	msgDestroyed = "Session destroyed: every session cookie was expired, but nothing was revoked, so a copy of the cookie taken before still opens until it expires."
	msgBadName   = "Not logged in: give a user name of 1 to 32 letters, digits, '.', '-' or '_'."
)

// done queues msg as a flash and answers a form post with 303 to the page.
func done(w http.ResponseWriter, r *http.Request, s *cookiesession.Session[data], msg string) {
	s.AddFlash(msg)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) inc(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	s.Data.Counter++
	done(w, r, s, msgInc)
}

func (a *app) add(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	b := make([]byte, addBytes/2)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	s.Data.Notes = append(s.Data.Notes, hex.EncodeToString(b))
	done(w, r, s, msgAdded) // saving happens after this; the error page may answer instead
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	user := strings.TrimSpace(r.PostFormValue("username"))
	if !validUser(user) {
		done(w, r, s, msgBadName)
		return
	}
	s.Renew() // a privilege change: new creation time, new cookie value
	s.SetSubject(user)
	s.Data.User = user
	done(w, r, s, msgLogin)
}

// logout revokes a logged-in session's ID for MaxAge from now, which
// covers the rest of its lifetime (only sessions with a subject: anonymous
// ones would grow the list for nothing), then destroys it; a revocation
// the list refuses (memrevoke.ErrFull) answers 503 and keeps the session. The list keeps
// time by the system clock, so the end is too, whatever Options.Now says.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	msg := msgLogoutNew
	if s.Subject() != "" {
		if err := a.revoked.RevokeSession(s.ID(), time.Now().Add(a.maxAge)); err != nil {
			// Not logged out: a copy of the cookie would still open.
			http.Error(w, "log out failed: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		msg = msgLogout
	}
	s.Destroy()
	done(w, r, s, msg)
}

func (a *app) destroy(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	s.Destroy()
	done(w, r, s, msgDestroyed)
}

// validUser accepts 1 to maxUserName letters, digits, '.', '-' and '_'.
func validUser(s string) bool {
	if s == "" || len(s) > maxUserName {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// cookieSize is one session cookie: as the request carried it (/state), or
// as the browser holds it after the response (the page).
type cookieSize struct {
	Name    string `json:"name"`
	Bytes   int    `json:"bytes"` // name + value
	Percent int    `json:"-"`
}

// view is everything the page and /state show.
type view struct {
	Name        string          `json:"name"`
	Data        json.RawMessage `json:"data"`
	New         bool            `json:"new"`
	Chunks      int             `json:"chunks"`
	Cookies     []cookieSize    `json:"cookies"`
	Total       int             `json:"total"` // bytes in the Cookie header
	CookieLimit int             `json:"cookieLimit"`
	TotalLimit  int             `json:"totalLimit"`
	MaxChunks   int             `json:"maxChunks"`
	Reject      string          `json:"reject,omitempty"`
	// Events counts the lifecycle events this server saw, by
	// EventKind.String, every kind present.
	Events map[string]int `json:"events"`

	JSON         string   `json:"-"`
	Counter      int      `json:"-"`
	User         string   `json:"-"`
	Notes        int      `json:"-"`
	Created      string   `json:"created,omitempty"`
	Expires      string   `json:"expires"`
	Messages     []string `json:"-"`
	TotalPercent int      `json:"-"`

	EventRows   []eventCount `json:"-"` // Events in the library's order
	WarnPercent int          `json:"-"` // bounds.SizeWarningShare in percent
}

// requestCookies returns the request's cookies as name=value pairs.
func requestCookies(r *http.Request) []cookie.Pair {
	var ps []cookie.Pair
	for _, line := range r.Header["Cookie"] {
		ps = append(ps, cookie.Pairs(line)...)
	}
	return ps
}

// afterResponse returns the cookies the client holds once it has applied
// the response's Set-Cookie lines to the request's cookies: a value
// replaced in place, an expired cookie dropped, a new one added at the end.
func afterResponse(ps []cookie.Pair, h http.Header) []cookie.Pair {
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		i := slices.IndexFunc(ps, func(p cookie.Pair) bool { return p.Name == c.Name })
		switch {
		case c.MaxAge < 0 && i >= 0:
			ps = slices.Delete(ps, i, i+1)
		case c.MaxAge < 0:
		case i >= 0:
			ps[i].Value = c.Value
		default:
			ps = append(ps, cookie.Pair{Name: c.Name, Value: c.Value})
		}
	}
	return ps
}

// view reads the request's session, and describes the session cookies ps.
func (a *app) view(r *http.Request, ps []cookie.Pair) *view {
	s := a.store.Get(r)
	v := &view{
		Name: a.name, New: s.IsNew(), CookieLimit: a.cookieLimit,
		TotalLimit: a.totalLimit, MaxChunks: a.maxChunks,
		Counter: s.Data.Counter, User: s.Data.User, Notes: len(s.Data.Notes),
		Cookies: []cookieSize{}, EventRows: a.events.snapshot(),
		Events: map[string]int{}, WarnPercent: int(math.Round(bounds.SizeWarningShare * 100)),
	}
	for _, e := range v.EventRows {
		v.Events[e.Kind] = e.Count
	}
	if err := s.Err(); err != nil {
		v.Reject = err.Error()
	}
	v.Data, _ = json.Marshal(s.Data)
	pretty, _ := json.MarshalIndent(s.Data, "", "  ")
	v.JSON = string(pretty)
	if !s.IsNew() {
		v.Created = s.Created().UTC().Format(time.RFC3339)
	}
	v.Expires = s.ExpiresAt().UTC().Format(time.RFC3339)

	// The session's cookies in chunk order (NAME, NAME~2, NAME~3, ...) up
	// to the first one missing, and their size in the Cookie header.
	lay := chunks.LayoutOf(ps, a.name)
	for k, c := range lay.Chunks {
		if c.Index != k+1 {
			lay.Chunks = lay.Chunks[:k]
			break
		}
		size := chunks.CookieBytes(c.Name, c.Value)
		v.Cookies = append(v.Cookies, cookieSize{Name: c.Name, Bytes: size, Percent: percent(size, a.cookieLimit)})
	}
	v.Total = lay.HeaderBytes()
	v.Chunks = len(v.Cookies)
	v.TotalPercent = percent(v.Total, a.totalLimit)
	return v
}

func percent(n, of int) int { return min(100, n*100/max(of, 1)) }

// page shows the session and the flash messages it carries. A session
// that held nothing but messages (as after Log out or Destroy session) is
// destroyed once they are read, so no empty session cookie stays behind.
// The page saves first, so that it shows the cookies as the browser holds
// them after this response, and counts the events of this save.
func (a *app) page(w http.ResponseWriter, r *http.Request) {
	s := a.store.Get(r)
	msgs := s.Flashes()
	if len(msgs) > 0 && s.Data.Counter == 0 && s.Data.User == "" && len(s.Data.Notes) == 0 {
		s.Destroy()
	}
	if err := s.Save(w); err != nil {
		a.errorPage(w, r, err)
		return
	}
	v := a.view(r, afterResponse(requestCookies(r), w.Header()))
	v.Messages = msgs
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTemplate.Execute(w, v)
}

func (a *app) state(w http.ResponseWriter, r *http.Request) {
	v := a.view(r, requestCookies(r))
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// errorPage is the demo's Options.ErrorHandler: the session could not be
// saved, the library left the client's cookies alone, and this page says
// so. A session too large to save is first described as the page counts
// it: the cookies it would need against the demo's at most MaxChunks, and
// the bytes of all of them against the budget for all cookies together.
//
// The status is 500 for every such error, ErrTooLarge included, as the
// library's default ErrorHandler answers. 413 Content Too Large would be
// wrong: it says the request's content was too large, and the request (an
// empty form post) was small; the server refused to store state it had
// built itself. 507 Insufficient Storage fits no better: RFC 4918 defines it
// for a server that cannot store a resource's representation and calls the
// condition temporary, while this refusal repeats on every retry. What
// failed is the server's own work, so 5xx, and no more specific code says
// what happened.
func (a *app) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	renderError(w, http.StatusInternalServerError, err.Error(), true, a.tooLarge(err))
}

// tooLarge describes a *cookiesession.TooLargeError in the page's terms,
// or returns "" for any other error.
func (a *app) tooLarge(err error) string {
	var tl *cookiesession.TooLargeError
	if !errors.As(err, &tl) {
		return ""
	}
	if tl.Chunks <= 1 && a.maxChunks <= 1 {
		return fmt.Sprintf("Too large: the session needs %d bytes in its cookie; this demo allows %d per cookie.", tl.Size, a.cookieLimit)
	}
	return fmt.Sprintf("Too large: the session would need %d cookies (this demo allows up to %d) and %d bytes for all of them together in the Cookie header (this demo allows %d).",
		tl.Chunks, a.maxChunks, tl.Size, a.totalLimit)
}

// renderError writes the error page; tooLarge, if not empty, comes first.
func renderError(w http.ResponseWriter, status int, msg string, intact bool, tooLarge string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = errorTemplate.Execute(w, struct {
		Status   int
		Text     string
		Message  string
		Intact   bool
		TooLarge string
	}{status, http.StatusText(status), msg, intact, tooLarge})
}

const css = `
body{font:15px/1.45 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;background:#fafafa}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:1.4rem 0 .4rem}
.sub{color:#666;margin:0 0 1rem}
.msg{background:#e8f4ea;border:1px solid #b6dcbd;padding:.5rem .8rem;border-radius:6px}
.warn{background:#fff4e0;border:1px solid #f0cf8a;padding:.5rem .8rem;border-radius:6px}
.err{background:#fde8e8;border:1px solid #f0b4b4;padding:.7rem .9rem;border-radius:6px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
.facts dt{color:#666}.facts dd{margin:0}
pre{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6rem;max-height:16rem;overflow:auto;white-space:pre-wrap;word-break:break-all;font-size:13px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #ddd;border-radius:6px}
table.narrow{width:auto;min-width:14rem}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #eee}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}
td code{word-break:break-all}
meter{width:100%;max-width:10rem;min-width:3rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.actions form{margin:0}
button{font:inherit;padding:.35rem .8rem;border:1px solid #888;border-radius:6px;background:#fff;cursor:pointer}
button:hover{background:#f0f0f0}button.danger{border-color:#c55;color:#a22}
input{font:inherit;padding:.3rem .5rem;border:1px solid #aaa;border-radius:6px;width:9rem}
code{font-size:13px}
`

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>cookiesession demo</title><style>` + css + `</style></head>
<body>
<h1>cookiesession demo</h1>
<p class="sub">The whole session lives, sealed, in the cookie <code>{{.Name}}</code>{{if gt .MaxChunks 1}} (split across up to {{.MaxChunks}} cookies){{end}}. Nothing is stored on the server.</p>
{{with .Messages}}<div class="msg" id="message">{{range .}}<p>{{.}}</p>{{end}}</div>{{end}}
{{with .Reject}}<p class="warn" id="reject">The session cookie was rejected, so a new session began: {{.}}</p>{{end}}

<div class="actions">
<form method="post" action="/inc"><button id="inc" type="submit">Increment counter</button></form>
<form method="post" action="/add"><button id="add" type="submit">Add 1 KB of data</button></form>
<form method="post" action="/login"><input id="username" name="username" placeholder="user name" maxlength="32" autocomplete="username" required> <button id="login" type="submit">Log in</button></form>
<form method="post" action="/logout"><button id="logout" type="submit">Log out</button></form>
<form method="post" action="/destroy"><button id="destroy" class="danger" type="submit">Destroy session</button></form>
</div>
<p class="sub" id="logout-help"><b>Log out</b> revokes the session's ID on this server (an in-memory revocation list), so a copy of its cookie taken before is refused, then destroys it. <b>Destroy session</b> only expires the cookies in this browser: a copy taken before still opens until it expires.</p>

<h2>Session</h2>
<dl class="facts">
<dt>state</dt><dd id="state">{{if .New}}new (no session cookie yet){{else}}opened from the cookie{{end}}</dd>
<dt>user</dt><dd id="user">{{if .User}}{{.User}}{{else}}(not logged in){{end}}</dd>
<dt>counter</dt><dd id="counter">{{.Counter}}</dd>
<dt>data added</dt><dd id="notes">{{.Notes}} KB</dd>
{{with .Created}}<dt>created</dt><dd id="created">{{.}}</dd>{{end}}
<dt>expires</dt><dd id="expires">{{.Expires}}</dd>
</dl>
<h2>Session JSON</h2>
<pre id="session-json">{{.JSON}}</pre>

<h2>Cookies: <span id="chunks">{{.Chunks}}</span> of at most {{.MaxChunks}}</h2>
<table id="sizes">
<thead><tr><th>cookie</th><th class="n">bytes</th><th class="n">limit</th><th>use</th></tr></thead>
<tbody>
{{range .Cookies}}<tr class="cookie" data-name="{{.Name}}" data-bytes="{{.Bytes}}"><td><code>{{.Name}}</code></td><td class="n">{{.Bytes}}</td><td class="n">{{$.CookieLimit}}</td><td><meter min="0" max="100" high="90" value="{{.Percent}}">{{.Percent}}%</meter></td></tr>
{{else}}<tr><td colspan="4">no session cookie</td></tr>
{{end}}<tr id="total" data-bytes="{{.Total}}"><td>all together, as in the Cookie header</td><td class="n">{{.Total}}</td><td class="n">{{.TotalLimit}}</td><td><meter min="0" max="100" high="90" value="{{.TotalPercent}}">{{.TotalPercent}}%</meter></td></tr>
</tbody></table>
<p class="sub">Bytes per cookie are its name plus its value, the figure browsers limit (to 4096); these are the cookies your browser holds after this page. This demo's budgets are {{.CookieLimit}} bytes per cookie and {{.TotalLimit}} together.</p>

<h2>Session events (this server)</h2>
<table id="events" class="narrow">
<thead><tr><th>event</th><th class="n">count</th></tr></thead>
<tbody>
{{range .EventRows}}<tr class="event" data-kind="{{.Kind}}" data-count="{{.Count}}"><td>{{.Kind}}</td><td class="n">{{.Count}}</td></tr>
{{end}}</tbody></table>
<p class="sub">Options.OnEvent counts these for every browser this server has served since it started.{{if .WarnPercent}} A size-warning is a save past {{.WarnPercent}}% of the budget{{if gt .MaxChunks 1}} for all cookies together{{end}}.{{end}}</p>
</body></html>
`))

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Status}} {{.Text}} - cookiesession demo</title><style>` + css + `</style></head>
<body>
<h1>{{.Status}} {{.Text}}</h1>
<div class="err" id="error">{{with .TooLarge}}<p id="too-large">{{.}}</p>{{end}}<p>{{.Message}}</p>
{{if .Intact}}<p>The session was not saved. Your browser keeps its previous cookies, so the previous session is intact.</p>{{end}}</div>
<p><a id="back" href="/">Back to the demo</a></p>
</body></html>
`))
