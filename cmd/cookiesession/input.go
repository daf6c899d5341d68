package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/memrevoke"
)

// maxInput bounds what is read from stdin: far more than any session.
const maxInput = 1 << 20

// storeFlags are the flags that configure a store, shared by seal, open and
// inspect.
type storeFlags struct {
	keys           string
	name           string
	maxAge, idle   time.Duration
	maxChunks      int
	maxCookieBytes int
	maxTotalBytes  int
	legacy         legacyFlags // open and inspect only
}

// register adds the flags to fs; idle only for the commands that open.
func (f *storeFlags) register(fs *flag.FlagSet, idle bool) {
	fs.StringVar(&f.keys, "keys", "", "")
	fs.StringVar(&f.name, "name", bounds.DefaultName, "")
	fs.DurationVar(&f.maxAge, "max-age", bounds.DefaultMaxAge, "")
	if idle {
		fs.DurationVar(&f.idle, "idle", 0, "")
		f.legacy.register(fs)
	}
	fs.IntVar(&f.maxChunks, "max-chunks", 0, "")
	fs.IntVar(&f.maxCookieBytes, "max-cookie-bytes", 0, "")
	fs.IntVar(&f.maxTotalBytes, "max-total-bytes", 0, "")
}

// options returns the store options the flags describe, with keys.
func (f *storeFlags) options(keys [][]byte, c *cli) cookiesession.Options {
	return cookiesession.Options{
		Keys:           keys,
		Name:           f.name,
		MaxAge:         f.maxAge,
		IdleTimeout:    f.idle,
		MaxChunks:      f.maxChunks,
		MaxCookieBytes: f.maxCookieBytes,
		MaxTotalBytes:  f.maxTotalBytes,
		Now:            c.now,
	}
}

// newStore returns a store for o; invalid options are usage errors. Without
// keys (inspect) it checks the options with a throwaway key.
func newStore(o cookiesession.Options) (*cookiesession.Store[json.RawMessage], error) {
	if len(o.Keys) == 0 {
		k := make([]byte, format.MinKeySize)
		_, _ = rand.Read(k)
		o.Keys = [][]byte{k}
	}
	s, err := cookiesession.New[json.RawMessage](o)
	if err != nil {
		if errors.Is(err, cookiesession.ErrInvalidOptions) {
			return nil, &usageError{err}
		}
		return nil, err
	}
	return s, nil
}

// limits returns the size budgets a store configured by f applies, the
// defaults resolved as Options documents them; highest is the chunk count
// to assume when -max-chunks is not given.
func (f *storeFlags) limits(highest int) chunks.Limits {
	l := chunks.Limits{Cookie: f.maxCookieBytes, Total: f.maxTotalBytes, Chunks: f.maxChunks}
	if l.Chunks == 0 {
		l.Chunks = highest
	}
	return l.Resolve(bounds.DefaultMaxCookieBytes, bounds.DefaultMaxTotalBytes)
}

// readStdin reads at most maxInput bytes of stdin.
func (c *cli) readStdin() ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(c.stdin, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(b) > maxInput {
		return nil, fmt.Errorf("stdin is too large: more than %d bytes", maxInput)
	}
	return b, nil
}

// input returns the Cookie header that the command line describes: one
// positional VALUE (or "-" for stdin), or -cookie HEADER (or "-cookie -").
func (c *cli) input(fs *flag.FlagSet, cookieFlag, name string) (string, error) {
	cookieSet := false
	fs.Visit(func(f *flag.Flag) { cookieSet = cookieSet || f.Name == "cookie" })
	if cookieSet {
		if fs.NArg() > 0 {
			return "", usagef("give either VALUE or -cookie HEADER, not both")
		}
		h := cookieFlag
		if h == "-" {
			b, err := c.readStdin()
			if err != nil {
				return "", err
			}
			h = string(b)
		}
		return normalize(h, name)
	}
	switch fs.NArg() {
	case 0:
		return "", usagef("give the cookie: VALUE, - (stdin) or -cookie HEADER")
	case 1:
	default:
		return "", usagef("give one VALUE; for several cookies use -cookie HEADER")
	}
	arg := fs.Arg(0)
	if arg == "-" {
		b, err := c.readStdin()
		if err != nil {
			return "", err
		}
		arg = string(b)
	}
	return normalize(arg, name)
}

// normalize turns what a user may paste into a Cookie header: a bare
// value, NAME=VALUE pairs on one line ("; "-separated) or on several,
// Set-Cookie header lines, or a Cookie header with or without "Cookie:".
func normalize(text, name string) (string, error) {
	var pieces []string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, maxInput+1)
	for sc.Scan() {
		// Only the blanks a Cookie header reader trims (cookie.Blank): a
		// Unicode space before a name makes it another cookie.
		line := textproto.TrimString(sc.Text())
		if line == "" {
			continue
		}
		if rest, ok := cutPrefixFold(line, "set-cookie:"); ok {
			line, _, _ = strings.Cut(rest, ";") // drop the attributes
		} else if rest, ok := cutPrefixFold(line, "cookie:"); ok {
			line = rest
		}
		if line = textproto.TrimString(line); line != "" {
			pieces = append(pieces, line)
		}
	}
	switch {
	case len(pieces) == 0:
		return "", errors.New("no cookie in the input: it is empty")
	case len(pieces) == 1 && !strings.Contains(pieces[0], "="):
		if !isBase64URL(pieces[0]) {
			return "", fmt.Errorf("%w: not base64url", cookiesession.ErrMalformed)
		}
		return name + "=" + pieces[0], nil
	}
	for _, p := range pieces {
		if !strings.Contains(p, "=") {
			return "", errors.New("the input mixes bare values with NAME=VALUE pairs: give one value, or NAME=VALUE pairs")
		}
	}
	return strings.Join(pieces, "; "), nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// isBase64URL reports whether s holds only base64url characters.
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// truncate shortens a hostile cookie name for a message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// detectCipher reads the suite byte of the session's first cookie, so that
// open works whichever cipher sealed it; the default when it cannot tell.
func detectCipher(ps []cookie.Pair, name string) cookiesession.Cipher {
	for _, p := range ps {
		if p.Name == name && len(p.Value) >= 4 {
			b, err := base64.RawURLEncoding.DecodeString(p.Value[:4])
			if err == nil && cookiesession.Cipher(b[0]) == cookiesession.AES256GCM {
				return cookiesession.AES256GCM
			}
		}
	}
	return cookiesession.XChaCha20Poly1305
}

// opened is a session that verified.
type opened struct {
	data    json.RawMessage
	flashes []string
	created time.Time
	expires time.Time
	// id is the identifier sealed in the value, "" when it carries none;
	// subject what SetSubject bound it to.
	id, subject string
}

// verify opens the session in the Cookie header as a store configured by f
// would, checking authenticity, name, chunks, sizes and lifetimes.
func (c *cli) verify(f *storeFlags, keys [][]byte, header string) (*opened, error) {
	ps := cookie.Pairs(header)
	o := f.options(keys, c)
	if err := f.legacy.apply(&o, len(keys) > 0); err != nil {
		return nil, err
	}
	if o.MaxChunks == 0 {
		// One more than the input carries: the value may go on in a
		// chunk the input lacks, which the store then names.
		o.MaxChunks = min(chunks.LayoutOf(ps, f.name).Highest()+1, chunks.Max)
	}
	o.Cipher = detectCipher(ps, f.name)
	// With a (empty) revocation list the store reads the session's
	// identifier; without one it drops it.
	list, err := memrevoke.New(memrevoke.Options{})
	if err != nil {
		return nil, err
	}
	o.Revocations = list
	store, err := newStore(o)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodGet, "http://localhost/", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Cookie", header)
	s := store.Get(req)
	id := s.ID()
	if again := store.Get(req); again.ID() != id {
		id = "" // not sealed in the value: each open made one up
	}
	if err := s.Err(); err != nil {
		var tl *cookiesession.TooLargeError
		if errors.As(err, &tl) {
			return nil, receivedTooLarge(tl)
		}
		return nil, err
	}
	if s.IsNew() {
		if f.legacy.any() {
			return nil, fmt.Errorf("no session in the input: no cookie named %q, and no legacy session cookie of the configured names", f.name)
		}
		return nil, noSessionCookie(ps, f.name)
	}
	return &opened{data: s.Data, flashes: s.Flashes(), created: s.Created(), expires: s.ExpiresAt(), id: id, subject: s.Subject()}, nil
}

// receivedTooLarge explains, with the command's flags, why a store would
// refuse the cookies it was sent.
func receivedTooLarge(e *cookiesession.TooLargeError) error {
	if e.Total {
		return fmt.Errorf("session too large: its %d cookies take %d bytes in the Cookie header, over the limit of %d (-max-total-bytes)", e.Chunks, e.Size, e.Limit)
	}
	return fmt.Errorf("session too large: cookie %q has %d bytes (name+value), over the limit of %d (-max-cookie-bytes)", truncate(e.Name), e.Size, e.Limit)
}

// flagGiven reports whether the flag called name was on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// resolveName takes the cookie name from the input when -name was not
// given: the one session cookie it holds, if it holds exactly one. With
// several, the user must choose.
func resolveName(fs *flag.FlagSet, f *storeFlags, header string) error {
	if flagGiven(fs, "name") {
		return nil
	}
	names := sessionNames(cookie.Pairs(header))
	switch {
	case len(names) == 1:
		f.name = names[0]
	case len(names) > 1:
		return fmt.Errorf("the input holds %d session cookies (%s): give -name NAME to choose one", len(names), listNames(names))
	}
	return nil
}

// sessionNames returns the names of the sessions in the Cookie header, in
// order of appearance: a name whose cookies (NAME, NAME~2, ...) join into a
// value with a sealed-value header (format.ParseHeader). A chunk
// NAME~k belongs to NAME.
func sessionNames(ps []cookie.Pair) []string {
	var names []string
	seen := map[string]bool{}
	for _, p := range ps {
		base := p.Name
		if i := strings.LastIndexByte(base, chunks.Sep); i > 0 && chunks.ParseIndex(base[i+1:]) > 0 {
			base = base[:i]
		}
		if seen[base] || (&http.Cookie{Name: base}).Valid() != nil {
			continue // a name a store cannot have ("\u00a0session")
		}
		seen[base] = true
		if _, err := format.ParseHeader(chunks.LayoutOf(ps, base).Value()); err == nil {
			names = append(names, base)
		}
	}
	return names
}

// maxNamesShown bounds the cookie names a message lists.
const maxNamesShown = 8

// listNames quotes names for a message, at most maxNamesShown of them.
func listNames(names []string) string {
	var q []string
	for i, n := range names {
		if i == maxNamesShown {
			q = append(q, fmt.Sprintf("and %d more", len(names)-i))
			break
		}
		q = append(q, strconv.Quote(truncate(n)))
	}
	return strings.Join(q, ", ")
}

// noSessionCookie is the error for an input without a session of the name
// the command uses; it lists the cookie names the input holds.
func noSessionCookie(ps []cookie.Pair, name string) error {
	var names []string
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p.Name] {
			seen[p.Name] = true
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("no cookie named %q in the input", name)
	}
	return fmt.Errorf("no cookie named %q in the input, which holds %s, none a sealed session; give -name NAME if one is", name, listNames(names))
}
