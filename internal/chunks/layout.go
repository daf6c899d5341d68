package chunks

import (
	"fmt"
	"net/textproto"
	"sort"
	"strings"
)

// Pair is one name=value of a Cookie header.
type Pair struct{ Name, Value string }

// Pairs splits a Cookie header into its name=value pairs the way the
// library's reader does: at each ';', Blank bytes trimmed around the pair
// and its name, double quotes around a value dropped; a piece without '='
// is no pair.
func Pairs(header string) []Pair {
	var out []Pair
	for _, part := range strings.Split(header, ";") {
		k, v, ok := strings.Cut(textproto.TrimString(part), "=")
		if !ok {
			continue
		}
		out = append(out, Pair{textproto.TrimString(k), Unquote(v)})
	}
	return out
}

// Blank reports whether b may stand around a cookie pair or its name in a
// Cookie header: SP and HTAB, the WSP of RFC 6265 §5.2 (and §4.2.1's OWS),
// and CR and LF, which net/http also trims (textproto.TrimString) and no
// browser puts in a cookie. Nothing else is a blank: to a browser,
// "\u00a0__Host-s" or "\v__Host-s" is a cookie of another name, with none
// of the __Host- rules, so a reader that skipped those bytes would let
// anyone who can set a cookie for the parent domain pass one as __Host-s.
func Blank(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// Unquote drops the double quotes around a cookie value, as RFC 6265
// allows a value to carry them.
func Unquote(v string) string {
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// Chunk is one of a session's cookies.
type Chunk struct {
	Index       int
	Name, Value string
}

// Layout is what a Cookie header carries of one session's cookies.
type Layout struct {
	// Chunks are the session's cookies in index order, the first of each
	// index only.
	Chunks []Chunk
	// Ignored are the names in the chunk namespace that are not chunk
	// names (Index -1): a reader ignores them and the next save deletes
	// them.
	Ignored []string
	// Problem says why Chunks do not make one value (an index sent twice
	// or missing); "" when they do, or when there are none.
	Problem string
}

// Highest returns the largest index among the chunks, or 0.
func (l Layout) Highest() int {
	if len(l.Chunks) == 0 {
		return 0
	}
	return l.Chunks[len(l.Chunks)-1].Index
}

// Value returns the chunks' values joined in index order.
func (l Layout) Value() string {
	var b strings.Builder
	for _, c := range l.Chunks {
		b.WriteString(c.Value)
	}
	return b.String()
}

// HeaderBytes returns the bytes the chunks take in a Cookie header.
func (l Layout) HeaderBytes() int {
	var h HeaderSize
	for _, c := range l.Chunks {
		h.Add(len(c.Name), len(c.Value))
	}
	return h.Bytes()
}

// LayoutOf returns the cookies of the session called name among ps.
func LayoutOf(ps []Pair, name string) Layout {
	var l Layout
	var seen [Max + 1]bool
	for _, p := range ps {
		i := Index(p.Name, name)
		switch {
		case i == 0:
			continue
		case i < 0:
			l.Ignored = append(l.Ignored, p.Name)
			continue
		case seen[i]:
			if l.Problem == "" {
				l.Problem = fmt.Sprintf("cookie %q sent twice", p.Name)
			}
			continue
		}
		seen[i] = true
		l.Chunks = append(l.Chunks, Chunk{i, p.Name, p.Value})
	}
	sort.Slice(l.Chunks, func(a, b int) bool { return l.Chunks[a].Index < l.Chunks[b].Index })
	for k, c := range l.Chunks {
		if c.Index != k+1 && l.Problem == "" {
			l.Problem = fmt.Sprintf("chunk %d (%s) of %d is missing", k+1, Name(name, k+1), l.Highest())
		}
	}
	return l
}
