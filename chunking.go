package cookiesession

// Chunking: a sealed value longer than one cookie's budget is split across
// several cookies. Chunk 1 is the cookie NAME itself; chunk k (k >= 2) is
// NAME~k. "~" never appears in Express cookie-session's NAME.sig nor in
// gorilla's names, and it keeps a __Host- or __Secure- prefix intact. The
// chunk count is bound into the AEAD's associated data, so missing, extra,
// reordered, duplicated or mixed chunks fail to open.

import (
	"fmt"
	"math/bits"
	"net/http"
	"strconv"
	"strings"
)

// chunkSep separates a cookie name from a chunk index.
const chunkSep = '~'

// chunkName returns the name of chunk i (1-based) of the cookie called name.
func chunkName(name string, i int) string {
	if i == 1 {
		return name
	}
	return name + string(chunkSep) + strconv.Itoa(i)
}

// chunkNameLen is len(chunkName(name, i)) without building it.
func chunkNameLen(name string, i int) int {
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

// planChunks returns how many cookies a value of valueLen bytes needs, and
// the size it takes in a Cookie header, or a *TooLargeError.
func planChunks(name string, valueLen int, l limits) (int, error) {
	left, n, total := valueLen, 0, 0
	for left > 0 || n == 0 {
		n++
		if n > l.chunks {
			break
		}
		room := l.cookie - chunkNameLen(name, n)
		part := min(left, room)
		left -= part
		total += chunkNameLen(name, n) + 1 + part
		if n > 1 {
			total += 2 // "; "
		}
	}
	if left > 0 {
		if l.chunks == 1 {
			return 0, &TooLargeError{Name: name, Size: len(name) + valueLen, Limit: l.cookie, Chunks: 1}
		}
		// More chunks than allowed: report the Cookie-header bytes needed
		// against what MaxChunks full cookies (or the total budget) hold.
		need, chunks := totalSize(name, valueLen, l.cookie)
		most, _ := totalSize(name, valueLen-left, l.cookie)
		if most > l.total { // the total budget binds before MaxChunks does
			return 0, &TooLargeError{Name: name, Size: need, Limit: l.total, Total: true, Chunks: chunks}
		}
		return 0, &TooLargeError{Name: name, Size: need, Limit: most, Chunks: chunks}
	}
	if n > 1 && total > l.total {
		return 0, &TooLargeError{Name: name, Size: total, Limit: l.total, Total: true, Chunks: n}
	}
	return n, nil
}

// totalSize returns the Cookie-header bytes and the number of cookies of a
// value of valueLen bytes split without a chunk limit; it feeds error
// messages only.
func totalSize(name string, valueLen, perCookie int) (bytes, chunks int) {
	total, i := 0, 0
	for valueLen > 0 {
		i++
		room := perCookie - chunkNameLen(name, i)
		part := min(valueLen, room)
		valueLen -= part
		total += chunkNameLen(name, i) + 1 + part + 2
	}
	return total - 2, i
}

// splitValue cuts value into n parts the way planChunks counted them.
func splitValue(name, value string, n int, l limits) []string {
	parts := make([]string, n)
	for i := 1; i <= n; i++ {
		room := l.cookie - chunkNameLen(name, i)
		if i == n || room > len(value) {
			room = len(value)
		}
		parts[i-1], value = value[:room], value[room:]
	}
	return parts
}

// presence records which chunk indexes (1..MaxChunksLimit) a request sent.
type presence [4]uint64

func (p *presence) set(i int)      { p[i>>6] |= 1 << (i & 63) }
func (p *presence) has(i int) bool { return p[i>>6]&(1<<(i&63)) != 0 }

// highest returns the largest index present, or 0.
func (p *presence) highest() int {
	for w := len(p) - 1; w >= 0; w-- {
		if p[w] != 0 {
			return w*64 + bits.Len64(p[w]) - 1
		}
	}
	return 0
}

// incoming is what a request carried of one session's cookies.
type incoming struct {
	value   string   // the reassembled value; "" when absent
	chunks  int      // how many cookies it came in
	present presence // which chunk cookies were sent, for expiring them
	foreign []string // names in the chunk namespace that no writer makes
}

// maxForeign bounds how many malformed chunk names one save expires.
const maxForeign = 8

// readChunks scans the request's Cookie headers for the cookie name and its
// chunks. The work is linear in the header size and allocates only when the
// session is chunked. Hostile input (duplicates, out-of-range indexes,
// oversize values, gaps) yields ErrChunks or ErrTooLarge, after recording
// which names were present so that a save can expire them.
func readChunks(r *http.Request, name string, l limits) (in incoming, err error) {
	var parts []string // parts[i-1] is chunk i; only for chunked sessions
	var first string
	total, highest := 0, 0
	for _, line := range r.Header["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimSpace(part)
			k, v, ok := strings.Cut(part, "=")
			if !ok || len(k) < len(name) || k[:len(name)] != name {
				continue
			}
			i := 1
			if len(k) > len(name) {
				if k[len(name)] != chunkSep {
					continue // another cookie that shares the prefix
				}
				i = parseChunkIndex(k[len(name)+1:])
				if i < 2 {
					// Not a name this library writes (NAME~0, NAME~02,
					// NAME~999999999): ignore it, and have the next save
					// delete it, so it cannot wedge the session.
					if len(in.foreign) < maxForeign && validCookieName(k) && len(k) <= 256 {
						in.foreign = append(in.foreign, k)
					}
					continue
				}
			}
			if in.present.has(i) {
				if err == nil {
					err = fmt.Errorf("%w: cookie %q sent twice (another path or domain?)", ErrChunks, chunkName(name, i))
				}
				continue
			}
			in.present.set(i)
			if err != nil {
				continue // keep recording names only
			}
			if i > l.chunks {
				err = fmt.Errorf("%w: chunk %d present but at most %d allowed", ErrChunks, i, l.chunks)
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if len(k)+len(v) > MaxCookieBytesLimit {
				err = &TooLargeError{Name: k, Size: len(k) + len(v), Limit: MaxCookieBytesLimit, Chunks: 1}
				continue
			}
			total += len(k) + 1 + len(v)
			highest = max(highest, i)
			if i == 1 {
				first = v
				continue
			}
			if parts == nil {
				parts = make([]string, l.chunks)
			}
			parts[i-1] = v
		}
	}
	if err != nil || highest == 0 {
		return in, err
	}
	if highest == 1 {
		in.value, in.chunks = first, 1
		return in, nil
	}
	if total > l.total {
		return in, &TooLargeError{Name: name, Size: total, Limit: l.total, Total: true, Chunks: highest}
	}
	parts[0] = first
	for i := 1; i <= highest; i++ {
		if !in.present.has(i) {
			return in, fmt.Errorf("%w: chunk %d of %d is missing", ErrChunks, i, highest)
		}
	}
	in.value, in.chunks = strings.Join(parts[:highest], ""), highest
	return in, nil
}

// parseChunkIndex parses a chunk index of at most three decimal digits
// without leading zeros; it returns -1 for anything else.
func parseChunkIndex(s string) int {
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
	if n > MaxChunksLimit {
		return -1
	}
	return n
}

// truncateName shortens a hostile cookie name for an error message.
func truncateName(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
