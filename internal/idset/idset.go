// Package idset holds revoked session identifiers compactly, for the
// in-memory memrevoke.List and redisrevoke's replica: each
// entry is an identifier of Session.ID's form (16 bytes) and the time until
// which it is revoked (uint32 seconds since Epoch), 20 bytes.
//
// The layout is a sorted array of entries with a fence index of its
// identifiers' leading bits (one uint32 per bucket, a bucket per 2 to 4
// entries), plus a small map of entries added since the array was last
// rebuilt (at most an eighth of the array, plus DeltaMin). A look-up reads
// the fence and one bucket of the array (session identifiers are random, so
// a bucket holds about 2 to 4 entries; a skewed bucket is binary-searched),
// then the map if it is not empty. Memory per entry (Bound): 20 bytes in
// the array, at most 2 bytes of fence, and the map slots of the entries
// waiting in it (21 to 48 bytes each, for at most an eighth of the entries
// plus DeltaMin). A Set is not safe for concurrent use: its owner locks.
package idset

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"iter"
	"math"
	"math/bits"
	"slices"
	"time"
)

// Size is the length of an identifier in bytes (Session.ID: 128 random
// bits).
const Size = 16

// ID is an identifier of Session.ID's form, decoded.
type ID [Size]byte

// Epoch is the origin of the until times, in Unix seconds:
// 2020-01-01T00:00:00Z. uint32 seconds from it reach the year 2156.
const Epoch = 1_577_836_800

// Bound is the most Go heap a Set of 100,000 entries or more holds per
// entry, in bytes: 20 in the array, 2 of fence, and an eighth of the
// entries (plus DeltaMin) in the map at 48 bytes each at most.
const Bound = 29

// DeltaMin is how many entries the map takes before the array is rebuilt,
// whatever the array's size.
const DeltaMin = 1024

var strict = base64.RawURLEncoding.Strict()

// decoding maps a base64url character (RFC 4648, section 5) to its 6 bits,
// and every other byte to 0xFF.
var decoding = func() (m [256]byte) {
	for i := range m {
		m[i] = 0xFF
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		m[c] = byte(i)
	}
	return m
}()

// Parse decodes s if it has exactly Session.ID's form: 22 characters of
// canonical unpadded base64url (the last character's 4 unused bits zero,
// as base64.RawURLEncoding.Strict requires). It does not allocate, and
// costs a table look-up per character.
func Parse(s string) (id ID, ok bool) {
	if len(s) != 22 {
		return id, false
	}
	var bad byte
	for g := range 5 { // 5 groups of 4 characters, 3 bytes each
		a, b, c, d := decoding[s[4*g]], decoding[s[4*g+1]], decoding[s[4*g+2]], decoding[s[4*g+3]]
		bad |= a | b | c | d
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		id[3*g], id[3*g+1], id[3*g+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	a, b := decoding[s[20]], decoding[s[21]]
	if (bad|a|b)&0x80 != 0 || b&0x0F != 0 {
		return ID{}, false
	}
	id[15] = a<<2 | b>>4
	return id, true
}

// String is id in Session.ID's form.
func (id ID) String() string { return strict.EncodeToString(id[:]) }

// Until is t as an until time: whole seconds since Epoch, rounded up so
// that rounding never shortens a revocation; a time before Epoch is 0,
// expired already.
func Until(t time.Time) uint32 { return clamp(t.Add(time.Second - time.Nanosecond).Unix()) }

// UntilMilli is Until of a time in Unix milliseconds.
func UntilMilli(ms int64) uint32 {
	s := ms / 1000
	if s*1000 < ms {
		s++
	}
	return clamp(s)
}

func clamp(unix int64) uint32 {
	return uint32(min(max(unix-Epoch, 0), math.MaxUint32))
}

// Milli is until in Unix milliseconds.
func Milli(until uint32) int64 { return (int64(until) + Epoch) * 1000 }

// Now is the time t on the until scale, for Live: whole seconds since
// Epoch, rounded down.
func Now(t time.Time) int64 { return t.Unix() - Epoch }

// NowMilli is Now of a time in Unix milliseconds.
func NowMilli(ms int64) int64 {
	s := ms / 1000
	if s*1000 > ms {
		s--
	}
	return s - Epoch
}

// Live reports whether an entry revoked until until is in force at now
// (Now): a revocation until second u holds through second u-1.
func Live(until uint32, now int64) bool { return now < int64(until) }

// Entry is one revoked identifier and its until time.
type Entry struct {
	ID    ID
	Until uint32
}

// Set is a set of entries, each identifier once with its latest until. The
// zero value is an empty set.
type Set struct {
	base  []Entry       // sorted by ID, each ID once
	fence []uint32      // fence[b]: the first index of base in bucket b; len 2^bits+1
	shift uint          // 64 - bits: an ID's bucket is its first 8 bytes >> shift
	delta map[ID]uint32 // entries not in base
}

// key is the sort key of an identifier: its first 8 bytes, big-endian.
func key(id *ID) uint64 { return binary.BigEndian.Uint64(id[:8]) }

func compare(a, b *ID) int {
	if c := cmp.Compare(key(a), key(b)); c != 0 {
		return c
	}
	return cmp.Compare(binary.BigEndian.Uint64(a[8:]), binary.BigEndian.Uint64(b[8:]))
}

// find returns id's index in base.
func (s *Set) find(id *ID) (int, bool) {
	if len(s.base) == 0 {
		return 0, false
	}
	b := key(id) >> s.shift
	lo, hi := int(s.fence[b]), int(s.fence[b+1])
	if hi-lo <= 16 {
		for i := lo; i < hi; i++ {
			if s.base[i].ID == *id {
				return i, true
			}
		}
		return 0, false
	}
	for lo < hi { // a skewed bucket; not slices.BinarySearchFunc, whose closure would move id to the heap
		mid := int(uint(lo+hi) >> 1)
		switch c := compare(&s.base[mid].ID, id); {
		case c == 0:
			return mid, true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// Get returns id's until time.
func (s *Set) Get(id ID) (uint32, bool) {
	if i, ok := s.find(&id); ok {
		return s.base[i].Until, true
	}
	if len(s.delta) == 0 {
		return 0, false
	}
	u, ok := s.delta[id]
	return u, ok
}

// Len returns the number of entries, expired ones not yet swept included.
func (s *Set) Len() int { return len(s.base) + len(s.delta) }

// Raise sets id's until to until if it holds none or an earlier one, and
// reports whether it did.
func (s *Set) Raise(id ID, until uint32) bool {
	if i, ok := s.find(&id); ok {
		if s.base[i].Until >= until {
			return false
		}
		s.base[i].Until = until
		return true
	}
	if old, ok := s.delta[id]; ok && old >= until {
		return false
	}
	if s.delta == nil {
		s.delta = map[ID]uint32{}
	}
	s.delta[id] = until
	if len(s.delta) > DeltaMin+len(s.base)/8 {
		s.rebuild(nil, -1)
	}
	return true
}

// Merge raises every entry of batch (Raise), in O(n + k log k) for a set
// of n and a batch of k entries; it may reorder batch.
func (s *Set) Merge(batch []Entry) {
	if len(batch) < DeltaMin {
		for _, e := range batch {
			s.Raise(e.ID, e.Until)
		}
		return
	}
	s.rebuild(batch, -1)
}

// Sweep drops every entry not live at now (Now).
func (s *Set) Sweep(now int64) { s.rebuild(nil, now) }

// All yields every entry, expired ones not yet swept included.
func (s *Set) All() iter.Seq2[ID, uint32] {
	return func(yield func(ID, uint32) bool) {
		for _, e := range s.base {
			if !yield(e.ID, e.Until) {
				return
			}
		}
		for id, u := range s.delta {
			if !yield(id, u) {
				return
			}
		}
	}
}

// rebuild merges the map and batch into a new exact-size array, dropping
// the entries not live at now unless now < 0, and empties the map (a new
// one: a cleared Go map keeps its memory).
func (s *Set) rebuild(batch []Entry, now int64) {
	for id, u := range s.delta {
		batch = append(batch, Entry{id, u})
	}
	s.delta = nil
	byID := func(a, b Entry) int {
		if c := compare(&a.ID, &b.ID); c != 0 {
			return c
		}
		return cmp.Compare(b.Until, a.Until) // the latest first
	}
	slices.SortFunc(batch, byID)
	batch = slices.CompactFunc(batch, func(a, b Entry) bool { return a.ID == b.ID })
	out := make([]Entry, 0, len(s.base)+len(batch))
	i, j := 0, 0
	for i < len(s.base) || j < len(batch) {
		var e Entry
		switch {
		case j == len(batch) || i < len(s.base) && compare(&s.base[i].ID, &batch[j].ID) < 0:
			e, i = s.base[i], i+1
		case i == len(s.base) || compare(&s.base[i].ID, &batch[j].ID) > 0:
			e, j = batch[j], j+1
		default:
			e = s.base[i]
			e.Until = max(e.Until, batch[j].Until)
			i, j = i+1, j+1
		}
		if now < 0 || Live(e.Until, now) {
			out = append(out, e)
		}
	}
	if len(out) < cap(out)*7/8 {
		out = slices.Clip(slices.Clone(out))
	}
	s.base = out
	s.index()
}

// index rebuilds the fence: 2^b buckets, n/4 < 2^b <= n/2.
func (s *Set) index() {
	n := len(s.base)
	b := 0
	if n > 8 {
		b = bits.Len(uint(n-1)) - 2
	}
	s.shift = uint(64 - b)
	fence := make([]uint32, 1<<b+1)
	i := 0
	for bucket := range fence {
		for i < n && key(&s.base[i].ID)>>s.shift < uint64(bucket) {
			i++
		}
		fence[bucket] = uint32(i)
	}
	fence[len(fence)-1] = uint32(n)
	s.fence = fence
}
