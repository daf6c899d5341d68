package chunks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cookiesession/cookiesession/internal/cookie"
)

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

// LayoutOf returns the cookies of the session called name among ps
// (cookie.Pairs of a Cookie header).
func LayoutOf(ps []cookie.Pair, name string) Layout {
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
