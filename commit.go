package cookiesession

// Committing a session: plan the Set-Cookie lines that take the client
// from what its cookies hold to what the handler wants (sealed, chunked,
// or in a legacy format during a transition), then apply the plan.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/flash"
	"github.com/cookiesession/cookiesession/internal/format"
)

// Update is what a response must carry to save a session. Apply writes it
// into a net/http header; an adapter to another framework can Apply it to
// an http.Header holding the response's Vary and Cache-Control values and
// copy the three headers back.
type Update struct {
	// SetCookie holds the Set-Cookie header values, in order; none when
	// the client's cookies are up to date. A response that carries any must
	// not be stored by shared caches: Apply sets Cache-Control private.
	SetCookie []string
}

// Apply adds u to the response header h: Vary: Cookie (the response was
// made with the session), and, when u has Set-Cookie lines, those lines,
// replacing any that h already has for the same cookie names (an earlier
// Apply), and Cache-Control private in place of public or s-maxage (RFC
// 9111 §5.2.2.7).
func (u Update) Apply(h http.Header) {
	if len(u.SetCookie) == 0 {
		addVary(h)
		return
	}
	if old := h["Set-Cookie"]; len(old) > 0 {
		dropLines(h, func(l string) bool {
			return slices.ContainsFunc(u.SetCookie, func(n string) bool { return sameCookieName(l, n) })
		})
		h["Set-Cookie"] = append(h["Set-Cookie"], u.SetCookie...)
	} else {
		h["Set-Cookie"] = u.SetCookie
	}
	keepFromSharedCaches(h)
}

// Commit plans the Set-Cookie lines that bring the client's cookies up to
// date with the session, and returns them; the session then counts them
// as sent. It returns no lines when nothing changed and the store has no
// reason of its own to re-seal. On error (ErrTooLarge, ErrInsecureRequest,
// ErrEncode) the session is unchanged and the client keeps its cookies.
// Store.Get's sessions are committed by the middleware or Session.Save;
// Commit is for adapters that send the lines themselves, and report with
// ReportLostChange what their response could not carry.
func (s *Session[T]) Commit() (Update, error) {
	dataJSON, err := s.marshal()
	if err != nil {
		return Update{}, err
	}
	var p plan
	if err := s.store.c.plan(&p, &s.held, &s.want, dataJSON, s.store.c.now(), &s.req); err != nil {
		return Update{}, err
	}
	s.apply(&p)
	return Update{SetCookie: p.lines}, nil
}

// ReportLostChange reports the session's changes that the client was not
// sent and that no response can carry any more, and returns them as a
// *LostChangeError, or nil when there are none. An adapter that sends
// Commit's lines itself calls it, with the cause, when the response it
// committed can no longer carry a change:
//
//   - ErrAlreadyWritten: the response's header went out before the code
//     that may change the session (a streamed body writer) was done; call
//     once it is done.
//   - ErrHijacked: the connection was hijacked; call once the code that
//     took it over is done, or at the hijack. Hijacked is set.
//   - ErrPanicked: the handler panicked; call before the panic goes on.
//     Panicked is set, and the changes a Commit put in a response that may
//     never go out count too.
//
// Any other cause counts as ErrAlreadyWritten. A handler that was done
// with the session before its Commit needs no call.
//
// Changes that an explicit Save's error told the handler about are not
// reported again. The error goes to Options.OnEvent as EventLostChange
// with ctx (nil: context.Background()), or, when OnEvent is nil, to slog's
// default logger at level Error. A session reports at most once: later
// calls return nil. The store's Middleware reports through it.
func (s *Session[T]) ReportLostChange(ctx context.Context, cause error) error {
	return s.reportLost(ctx, errors.Is(cause, ErrHijacked), errors.Is(cause, ErrPanicked), "")
}

// reportLost is ReportLostChange; path, if not empty, goes into the
// default log line.
func (s *Session[T]) reportLost(ctx context.Context, hijacked, panicked bool, path string) error {
	if s.noted {
		return nil
	}
	err := s.lost(panicked)
	if err == nil {
		return nil
	}
	s.noted = true
	err.Hijacked, err.Panicked = hijacked, panicked
	if ctx == nil {
		ctx = context.Background()
	}
	switch {
	case s.store.c.onEvent != nil:
		s.store.c.onEvent(ctx, Event{Kind: EventLostChange, Err: err})
	case path != "":
		slog.ErrorContext(ctx, "cookiesession: session change lost", "err", err, "path", path)
	default:
		slog.ErrorContext(ctx, "cookiesession: session change lost", "err", err)
	}
	return err
}

// plan is what committing a session sends, and what the client then holds.
type plan struct {
	lines []string
	next  held   // what the client holds once lines are sent
	user  change // the handler's changes the lines carry
	event *Event // EventSizeWarning or EventResealSkipped, if due
}

// apply records that p's lines were sent, and reports the events of the
// save. An error a Save returned earlier is superseded.
func (s *Session[T]) apply(p *plan) {
	prev := s.held
	s.held = p.next
	s.want.destroy, s.want.renew = false, false
	s.wrote |= p.user
	s.told = nil
	s.store.c.saveEvents(s.req.Context, &prev, p)
}

// changes returns the handler's changes the client's cookies, h, do not
// carry, given w and Data encoded as dataJSON. A re-seal the store chose
// (h.stale) is not among them: a later request does it as well.
func (c *core) changes(h *held, w *wanted, dataJSON []byte) change {
	var ch change
	empty := bytes.Equal(dataJSON, c.zeroJSON) && w.flashes.Empty()
	switch {
	case w.destroy && empty:
		return changedDestroy // whatever else changed goes with it
	case w.destroy:
		ch |= changedDestroy | changedData // used again: a new session
	case h.data == nil:
		if !empty {
			ch |= changedData
		}
	case !bytes.Equal(dataJSON, h.data):
		ch |= changedData
	}
	if w.renew {
		ch |= changedRenew
	}
	if !w.flashes.Equal(&h.flashes) {
		ch |= changedFlashes
	}
	if w.browserSession != h.browserSession {
		ch |= changedPersistence
	}
	if w.meta.MaxAge != h.meta.MaxAge {
		ch |= changedLifetime
	}
	if w.meta.Subject != h.meta.Subject {
		ch |= changedSubject
	}
	return ch
}

// plan sets p, zero, to the lines that take the client from h to w with
// Data encoded as dataJSON, at now, in answer to req. It changes nothing
// else. The plan functions fill p through a pointer rather than return
// one: a plan holds a held, and copies of it would deepen the stack.
func (c *core) plan(p *plan, h *held, w *wanted, dataJSON []byte, now time.Time, req *Request) error {
	ch := c.changes(h, w, dataJSON)
	switch {
	case ch == changedDestroy:
		return c.planDestroy(p, h, w, req)
	case ch == 0 && h.stale == 0:
		p.next = *h
		return nil
	}
	now = now.Truncate(time.Second)
	created := h.created
	if created.IsZero() || h.data == nil || w.destroy || w.renew {
		created = now
	}
	if now.Before(created) { // a clock behind the one that sealed
		now = created
	}
	var err error
	if f := c.transitionFormat(h); f != nil {
		err = c.planLegacy(p, f, h, w, dataJSON, ch, created, now, req)
	} else {
		err = c.planSealed(p, h, w, dataJSON, ch, created, now, req)
	}
	if err != nil && ch == 0 {
		var tl *TooLargeError // on the heap, so only on this path
		if errors.As(err, &tl) {
			c.skipReseal(p, h, tl)
			return nil
		}
	}
	return err
}

// skipReseal sets p to the plan when a write the store chose on its own,
// with no change of the handler's (h.stale), does not fit: the client
// keeps its cookies, EventResealSkipped reports it, and the next request
// tries again.
func (c *core) skipReseal(p *plan, h *held, tl *TooLargeError) {
	e := Event{Kind: EventResealSkipped, Err: tl, Size: tl.Size, Budget: tl.Limit}
	if h.legacy.idx > 0 {
		e.From = c.legacy[h.legacy.idx-1].Format()
	}
	*p = plan{next: *h, event: &e}
	p.next.stale = 0 // once per request
}

// planSealed stores dataJSON (and the flashes and metadata) in the sealed
// format, replacing and deleting every other cookie of the session.
func (c *core) planSealed(p *plan, h *held, w *wanted, dataJSON []byte, ch change, created, now time.Time, req *Request) error {
	pt, err := flash.Seal(&w.meta, dataJSON, &w.flashes, checkFlashUTF8)
	if err != nil {
		return err
	}
	valueLen := c.codec.Suite().SealedLen(len(pt))
	n, err := planChunks(c.name, valueLen, c.limits)
	if err != nil {
		return err
	}
	maxAge := int(c.expiry(w.meta.MaxAge, created, now).Sub(now) / time.Second)
	a, err := c.attrs(req, !w.browserSession, maxAge, now)
	if err != nil {
		return err
	}
	hdr := format.Header{Created: created, Sealed: now, BrowserSession: w.browserSession, Flashes: !w.flashes.Empty(), Meta: !w.meta.Empty(), Chunks: n}
	sb, raw, err := c.codec.SealPooled(c.name, hdr, pt)
	if err != nil {
		return err
	}
	lines := make([]string, 0, n+c.expiryCount(h, n, false))
	full := chunks.LastFills(c.name, valueLen, n, c.limits)
	if n == 1 {
		lines = append(lines, a.lineRaw(c.name, raw))
	} else {
		for i, part := range chunks.Split(c.name, strictBase64.EncodeToString(raw), n, c.limits) {
			lines = append(lines, a.Line(chunks.Name(c.name, i+1), part))
		}
	}
	c.codec.Release(sb) // the lines hold copies (base64) of raw
	lines = c.expireAll(lines, h, n+1, false, full, a)
	p.lines, p.user, p.event = lines, ch, c.sizeWarningFor(valueLen, n)
	next := &p.next
	next.data, next.flashes, next.created, next.sealed, next.meta, next.browserSession = dataJSON, w.flashes, created, now, w.meta, w.browserSession
	for i := 1; i <= n; i++ {
		next.chunks.Set(i)
	}
	return nil
}

// planLegacy stores dataJSON in a legacy format during a transition.
func (c *core) planLegacy(p *plan, f *legacyFormat, h *held, w *wanted, dataJSON []byte, ch change, created, now time.Time, req *Request) error {
	if !w.flashes.Empty() {
		return fmt.Errorf("%w: flash messages (AddFlash, AddFlashTo) have no place in the %s cookie written during a transition: keep them in Data until the transition ends", ErrEncode, f.Format())
	}
	a, err := c.attrs(req, !w.browserSession, int(c.expiry(w.meta.MaxAge, now, now).Sub(now)/time.Second), now)
	if err != nil {
		return err
	}
	lines, err := f.write(dataJSON, h.legacy.orig, a)
	if err != nil {
		return err
	}
	p.lines, p.user, p.next = lines, ch, *h
	next := &p.next
	next.data, next.flashes, next.created, next.meta, next.browserSession, next.stale = dataJSON, w.flashes, created, w.meta, w.browserSession, 0
	return nil
}

// planDestroy deletes every cookie of a destroyed session.
func (c *core) planDestroy(p *plan, h *held, w *wanted, req *Request) error {
	a, err := c.attrs(req, false, 0, time.Time{})
	if err != nil {
		return err
	}
	p.lines = c.expireAll(make([]string, 0, c.expiryCount(h, 0, true)), h, 1, true, false, a)
	p.next.browserSession, p.user = w.browserSession, changedDestroy
	return nil
}

// expireAll appends the lines that delete the chunk cookies from index
// from on: those h has and, when all (Destroy), every possible one; the
// malformed chunk names h has; and the cookies of every legacy format h
// has. A save deletes only what the request carried: a stale chunk that a
// racing response (two tabs) leaves beyond the new value's last part is
// ignored by the reader (internal/chunks, scan.written) and deleted by the next save,
// which carries it. Only when the new value's last part fills the budget
// would the reader read on into a stale part: then the save also deletes
// the next chunk name (full).
func (c *core) expireAll(lines []string, h *held, from int, all, full bool, a CookieAttrs) []string {
	last := c.limits.Chunks
	for i, end := from, max(last, h.chunks.Highest()); i <= end; i++ {
		if h.chunks.Has(i) || i <= last && (all || full && i == from) {
			lines = append(lines, a.ExpireLine(chunks.Name(c.name, i)))
		}
	}
	for _, name := range h.foreign {
		lines = append(lines, a.ExpireLine(name))
	}
	for _, f := range c.legacy {
		lines = append(lines, f.expire(a, h.cookie)...)
	}
	return lines
}

// expiryCount is about how many lines expireAll appends, for a session
// stored in n chunks, all or not.
func (c *core) expiryCount(h *held, n int, all bool) int {
	k := h.chunks.Highest() - n
	if all {
		k = max(c.limits.Chunks, h.chunks.Highest()) - n
	}
	return max(k, 1) + len(h.foreign) + 2*len(c.legacy)
}

// expiry is when a session of its own lifetime maxAge (0: the store's),
// created at created and sealed at sealed, ends: its lifetime after
// creation, or earlier by the idle timeout.
func (c *core) expiry(maxAge time.Duration, created, sealed time.Time) time.Time {
	end := created.Add(c.lifetime(maxAge))
	if c.idle > 0 && sealed.Add(c.idle).Before(end) {
		end = sealed.Add(c.idle)
	}
	return end
}

// sameCookieName reports whether the Set-Cookie lines a and b set the same
// cookie name.
func sameCookieName(a, b string) bool {
	i := strings.IndexByte(b, '=')
	return i > 0 && len(a) > i && a[i] == '=' && a[:i] == b[:i]
}
