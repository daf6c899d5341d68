package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/format"
)

func (c *cli) open(args []string) error {
	fs := newFlags("open")
	var f storeFlags
	f.register(fs, true)
	cookieFlag := fs.String("cookie", "", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	keys, err := c.checkFlags("open", &f, !f.legacy.any())
	if err != nil {
		return err
	}
	header, err := c.input(fs, *cookieFlag, f.name)
	if err != nil {
		return err
	}
	if err := resolveName(fs, &f, header); err != nil {
		return err
	}
	s, err := c.verify(&f, keys, header)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(c.stdout, "%s\n", terminalSafe(string(s.data)))
	return err
}

func (c *cli) inspect(args []string) error {
	fs := newFlags("inspect")
	var f storeFlags
	f.register(fs, true)
	cookieFlag := fs.String("cookie", "", "")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	keys, err := c.checkFlags("inspect", &f, false)
	if err != nil {
		return err
	}
	header, err := c.input(fs, *cookieFlag, f.name)
	if err != nil {
		return err
	}
	if err := resolveName(fs, &f, header); err != nil {
		return err
	}

	p := &printer{w: &bytes.Buffer{}}
	defer func() { _, _ = io.WriteString(c.stdout, terminalSafe(p.w.String())) }()
	ps := cookie.Pairs(header)
	if f.legacy.any() && !hasCookie(ps, f.name, len(keys) > 0) {
		return c.inspectLegacy(p, &f, keys, header)
	}
	return c.inspectSealed(p, &f, keys, header)
}

// inspectSealed describes a session in the sealed format: its chunks and
// sizes, its header and times and, with keys, whether it verifies, its ID,
// subject and data.
func (c *cli) inspectSealed(p *printer, f *storeFlags, keys [][]byte, header string) error {
	lay := chunks.LayoutOf(cookie.Pairs(header), f.name)
	l := f.limits(lay.Highest())
	p.chunkLayout(f, lay, l)
	switch {
	case len(lay.Chunks) == 0:
		return noSessionCookie(cookie.Pairs(header), f.name)
	case lay.Problem != "":
		return fmt.Errorf("%w: %s", cookiesession.ErrChunks, lay.Problem)
	}
	value := lay.Value()
	h, err := format.ParseHeader(value)
	if err != nil {
		return lostChunk(lay, f.name, l, err)
	}
	p.header(h, len(value), keys)
	p.times(f, h, c.now())

	if len(keys) == 0 {
		p.field("verified", "no: the header is unauthenticated, anyone can forge every field above; give -keys to verify the value and see its JSON")
		return nil
	}
	s, err := c.verify(f, keys, header)
	if err != nil {
		p.field("verified", "NO: "+oneLine(err))
		return err
	}
	p.field("verified", fmt.Sprintf("yes: authentic, sealed for cookie %q, within its lifetime", f.name))
	p.identity(s)
	if len(s.flashes) > 0 {
		fl, _ := json.Marshal(s.flashes)
		p.field("flashes", string(fl))
	}
	p.data(s.data)
	return nil
}

// lostChunk explains err, why the value in lay does not decode, as a store
// does: when every chunk fills the per-cookie budget (chunks.Fills), the
// value goes on in a chunk the input lacks.
func lostChunk(lay chunks.Layout, name string, l chunks.Limits, err error) error {
	for _, c := range lay.Chunks {
		if !chunks.Fills(name, c.Index, len(c.Value), l.Cookie) {
			return err
		}
	}
	return fmt.Errorf("%w: %s", cookiesession.ErrChunks, chunks.MissingAfter(name, lay.Highest(), l.Cookie))
}

// identity prints the session's identifier and subject, what "cookiesession
// revoke -session" and "-subject" take.
func (p *printer) identity(s *opened) {
	if s.id != "" {
		p.field("session id", s.id)
	} else {
		p.field("session id", "none: sealed by a store without Options.Revocations (revoke it by -subject or -all)")
	}
	if s.subject != "" {
		p.field("subject", strconv.Quote(s.subject))
	} else {
		p.field("subject", "none (Session.SetSubject was not called)")
	}
}

// printer writes inspect's report: "label   text" lines.
type printer struct{ w *bytes.Buffer }

func (p *printer) field(label, text string) { fmt.Fprintf(p.w, "%-15s %s\n", label, text) }
func (p *printer) line(text string)         { fmt.Fprintln(p.w, text) }

// data prints the session's JSON, indented.
func (p *printer) data(data json.RawMessage) {
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, data, "", "  "); err != nil {
		pretty.Write(data)
	}
	p.line("data:")
	p.line(pretty.String())
}

// chunkLayout prints the session's cookies and their sizes against the
// budgets, and the names in the chunk namespace a store ignores.
func (p *printer) chunkLayout(f *storeFlags, lay chunks.Layout, l chunks.Limits) {
	if n := len(lay.Chunks); n > 0 {
		limitNote := fmt.Sprintf("at most %d (-max-chunks)", l.Chunks)
		if f.maxChunks == 0 {
			limitNote = fmt.Sprintf("-max-chunks not given: assuming %d, as the input carries", l.Chunks)
		}
		noun := "cookie"
		if n > 1 {
			noun = "cookies"
		}
		p.field("cookies", fmt.Sprintf("%d %s named %q; %s", n, noun, f.name, limitNote))
	}
	for _, ch := range lay.Chunks {
		size := chunks.CookieBytes(ch.Name, ch.Value)
		p.field("  "+ch.Name, fmt.Sprintf("%d bytes (name+value) of %d (-max-cookie-bytes) %s", size, l.Cookie, verdict(size, l.Cookie)))
	}
	if len(lay.Chunks) > 1 || len(lay.Chunks) > 0 && l.Chunks > 1 {
		total := lay.HeaderBytes()
		p.field("  together", fmt.Sprintf("%d bytes in the Cookie header of %d (-max-total-bytes) %s", total, l.Total, verdict(total, l.Total)))
	}
	if len(lay.Chunks) > l.Chunks {
		p.field("  chunk count", fmt.Sprintf("%d, OVER -max-chunks %d", len(lay.Chunks), l.Chunks))
	}
	p.ignored(lay.Ignored)
}

// maxIgnoredShown bounds the ignored names inspect lists one by one.
const maxIgnoredShown = 8

// ignored lists the names in the chunk namespace that are not chunk names.
func (p *printer) ignored(names []string) {
	for i, n := range names {
		if i == maxIgnoredShown {
			p.field("ignored", fmt.Sprintf("%d more such names", len(names)-i))
			break
		}
		p.field("ignored", fmt.Sprintf("%q: not a chunk name (those are NAME~2 to NAME~%d, no leading zero); a store ignores it and deletes it on its next save", truncate(n), chunks.Max))
	}
}

// verdict compares a size with its limit.
func verdict(size, limit int) string {
	if size > limit {
		return fmt.Sprintf("OVER by %d", size-limit)
	}
	return fmt.Sprintf("ok, %d%%", size*100/max(limit, 1))
}

// header prints what the value's header and length say.
func (p *printer) header(h format.Header, valueLen int, keys [][]byte) {
	p.field("format", fmt.Sprintf("version 1, %v (suite byte %#02x)", h.Suite, uint8(h.Suite)))
	p.field("key id", h.KeyID.String()+keyNote(h, keys))
	raw := base64.RawURLEncoding.DecodedLen(valueLen)
	p.field("value", fmt.Sprintf("%d characters, %d bytes: %d of envelope (header, nonce, tag), %d of sealed plaintext", valueLen, raw, h.Suite.Overhead(), raw-h.Suite.Overhead()))
	kind := "persistent (sealed to be set with Max-Age)"
	if h.BrowserSession {
		kind = "browser session (sealed to be set without Max-Age)"
	}
	p.field("cookie kind", kind)
	fl := "no"
	if h.Flashes {
		fl = "yes, flash messages are queued"
	}
	p.field("flashes", fl)
}

// keyNote says which of the given keys has the value's key id.
func keyNote(h format.Header, keys [][]byte) string {
	if len(keys) == 0 {
		return ""
	}
	codec, err := format.NewCodec(h.Suite, false, keys...)
	if err != nil {
		return ""
	}
	for i := range keys {
		if codec.KeyID(i) == h.KeyID {
			if i == 0 {
				return fmt.Sprintf(" (key 1 of %d, the sealing key)", len(keys))
			}
			return fmt.Sprintf(" (key %d of %d: an older key; a store re-seals it with key 1)", i+1, len(keys))
		}
	}
	return fmt.Sprintf(" (none of the %d keys given)", len(keys))
}

// times prints the creation and seal times and the deadlines under the
// flags' lifetimes.
func (p *printer) times(f *storeFlags, h format.Header, now time.Time) {
	skew := bounds.DefaultClockSkew
	p.field("created", stamp(h.Created, now, skew))
	p.field("sealed", fmt.Sprintf("%s, %v after creation", stamp(h.Sealed, now, skew), h.Sealed.Sub(h.Created)))
	expires := h.Created.Add(f.maxAge)
	p.field("expires", fmt.Sprintf("%s = created + %v (-max-age) %s", expires.UTC().Format(time.RFC3339), f.maxAge, deadline(expires, now)))
	if f.idle <= 0 {
		p.field("idle deadline", "none (no -idle)")
	} else {
		idle := h.Sealed.Add(f.idle)
		p.field("idle deadline", fmt.Sprintf("%s = sealed + %v (-idle) %s", idle.UTC().Format(time.RFC3339), f.idle, deadline(idle, now)))
	}
}

// stamp formats t, with a note when it lies in the future.
func stamp(t, now time.Time, skew time.Duration) string {
	s := t.UTC().Format(time.RFC3339)
	switch {
	case t.After(now.Add(skew)):
		return s + fmt.Sprintf(" (IN THE FUTURE by %v: a clock is wrong or the value is forged)", t.Sub(now).Round(time.Second))
	case t.After(now):
		return s + " (just now)"
	}
	return s + fmt.Sprintf(" (%v ago)", now.Sub(t).Round(time.Second))
}

// deadline says how far now is from end.
func deadline(end, now time.Time) string {
	if !now.Before(end) {
		return fmt.Sprintf("(EXPIRED %v ago)", now.Sub(end).Round(time.Second))
	}
	return fmt.Sprintf("(in %v)", end.Sub(now).Round(time.Second))
}

// hasCookie reports whether the header carries the sealed session's first
// cookie; with legacy readers on and no sealed-format keys, a cookie of that
// name is the legacy one.
func hasCookie(ps []cookie.Pair, name string, haveKeys bool) bool {
	if !haveKeys {
		return false
	}
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

// inspectLegacy describes an Express cookie-session or gorilla/sessions
// cookie: which cookies of the configured names the header carries, their
// sizes, whether they verify, and the session they hold.
func (c *cli) inspectLegacy(p *printer, f *storeFlags, keys [][]byte, header string) error {
	ps := cookie.Pairs(header)
	describe := func(format, name string, extra ...string) {
		for _, n := range append([]string{name}, extra...) {
			for _, q := range ps {
				if q.Name == n {
					p.field("cookie", fmt.Sprintf("%s: %q, %d bytes (name+value) of %d a browser keeps", format, n, chunks.CookieBytes(n, q.Value), bounds.MaxCookieBytesLimit))
				}
			}
		}
	}
	if f.legacy.expressOn() {
		alg := "HMAC-SHA1"
		if f.legacy.expressSHA256 {
			alg = "HMAC-SHA256"
		}
		describe("Express cookie-session ("+alg+" signature, not encrypted)", f.legacy.expressName, f.legacy.expressName+".sig")
	}
	if f.legacy.gorillaOn() {
		describe("gorilla/securecookie", f.legacy.gorillaName)
	}
	s, err := c.verify(f, keys, header)
	if err != nil {
		p.field("verified", "NO: "+oneLine(err))
		return err
	}
	p.field("verified", "yes: the legacy signature matches a configured key; a store with these options re-seals it in the sealed format on its next response")
	p.data(s.data)
	return nil
}

// checkFlags reads the keys (required or not) and checks every store flag,
// legacy readers included, before any input is read.
func (c *cli) checkFlags(cmd string, f *storeFlags, required bool) ([][]byte, error) {
	keys, err := c.keys(f.keys, required)
	if err != nil {
		return nil, err
	}
	if err := f.legacy.resolve(cmd, c.stderr); err != nil {
		return nil, err
	}
	o := f.options(keys, c)
	if err := f.legacy.apply(&o, len(keys) > 0); err != nil {
		return nil, err
	}
	if _, err := newStore(o); err != nil {
		return nil, err
	}
	return keys, nil
}
