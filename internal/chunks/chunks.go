// Package chunks holds the wire rules of a session split across cookies,
// shared by the library, the cookiesession command and the demo: the chunk
// names (NAME, NAME~2, ..., NAME~255) and how they are parsed, how a value
// is split across them under the size budgets, and how many bytes cookies
// take in a Cookie header. docs/FORMAT.md ("Chunks") specifies the names
// and the split; docs/LIMITS.md the budgets and how they are counted.
//
// Cookie syntax (pairs, blanks, the cap on pairs read) is package
// cookie's. The package knows no default figures: the library's limits.go
// defines them with their sources and passes them in.
package chunks

import (
	"fmt"
	"strconv"
)

const (
	// Sep separates a cookie name from a chunk index: chunk k >= 2 of the
	// cookie NAME is NAME~k.
	Sep = '~'

	// Max is the most cookies one session can be split across: the chunk
	// count is bound into the associated data as one byte.
	Max = 255
)

// Name returns the name of chunk i (1-based) of the cookie called name:
// name itself for 1, name~i after.
func Name(name string, i int) string {
	if i == 1 {
		return name
	}
	return name + string(Sep) + strconv.Itoa(i)
}

// NameLen is len(Name(name, i)) for i in 1..999, without building it.
func NameLen(name string, i int) int {
	switch {
	case i == 1:
		return len(name)
	case i < 10:
		return len(name) + 2
	case i < 100:
		return len(name) + 3
	}
	return len(name) + 4
}

// ParseIndex parses the index after NAME~: the canonical decimal form of
// 2..Max (at most three digits, no leading zero). It returns -1 for
// anything else, 1 included, which is never written as NAME~1.
func ParseIndex(s string) int {
	if len(s) == 0 || len(s) > 3 || s[0] == '0' {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	if n < 2 || n > Max {
		return -1
	}
	return n
}

// Index returns the chunk index of the cookie called cookie in the session
// called name: 1 for name itself, k for name~k, 0 for another cookie, and
// -1 for a name in the chunk namespace that is not a chunk name (name~0,
// name~02, name~1, name~x): a reader ignores it and the next save deletes
// it.
func Index(cookie, name string) int {
	if len(cookie) < len(name) || cookie[:len(name)] != name {
		return 0
	}
	if len(cookie) == len(name) {
		return 1
	}
	if cookie[len(name)] != Sep {
		return 0 // another cookie that shares the prefix
	}
	return ParseIndex(cookie[len(name)+1:])
}

// Fills reports whether chunk i of the cookie called name, holding a value
// of n bytes, fills the per-cookie budget cookie exactly. A writer fills
// every chunk but the last that way, so when the last chunk a request
// carries fills it and the value does not open, the next chunk is
// missing (MissingAfter).
func Fills(name string, i, n, cookie int) bool { return NameLen(name, i)+n == cookie }

// MissingAfter says that the chunk after chunk i is missing, chunk i
// filling the per-cookie budget cookie.
func MissingAfter(name string, i, cookie int) string {
	return fmt.Sprintf("chunk %d (%s) is missing: chunk %d (%s) fills the %d-byte budget, so the value goes on in the next cookie, which the request lacks (the browser dropped it, or it was set on another path or domain)",
		i+1, Name(name, i+1), i, Name(name, i), cookie)
}
