package idset

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"
)

// TestSetMatchesMap: random raises, batches and sweeps give the same
// entries as a plain map, at sizes around every rebuild threshold, with
// random identifiers and with identifiers sharing their leading bytes (one
// bucket, binary-searched).
func TestSetMatchesMap(t *testing.T) {
	for _, skewed := range []bool{false, true} {
		r := rand.New(rand.NewPCG(1, 2))
		newID := func() ID {
			var id ID
			binary.BigEndian.PutUint64(id[:], r.Uint64())
			binary.BigEndian.PutUint64(id[8:], r.Uint64())
			if skewed {
				id[0], id[1], id[2] = 7, 7, 7
			}
			return id
		}
		var s Set
		ref := map[ID]uint32{}
		var ids []ID
		for step := range 6_000 {
			switch op := r.IntN(100); {
			case op < 70 || len(ids) == 0:
				id := newID()
				ids = append(ids, id)
				u := uint32(r.IntN(1000))
				if got, want := s.Raise(id, u), u > ref[id] || !has(ref, id); got != want {
					t.Fatalf("step %d: Raise new = %v, want %v", step, got, want)
				}
				ref[id] = max(ref[id], u)
			case op < 90:
				id := ids[r.IntN(len(ids))]
				u := uint32(r.IntN(1000))
				if got, want := s.Raise(id, u), u > ref[id]; got != want {
					t.Fatalf("step %d: Raise held = %v, want %v", step, got, want)
				}
				ref[id] = max(ref[id], u)
			case op < 92:
				var batch []Entry
				for range r.IntN(2 * DeltaMin) {
					e := Entry{ID: newID(), Until: uint32(r.IntN(1000))}
					if r.IntN(2) == 0 {
						e.ID = ids[r.IntN(len(ids))]
					}
					ids = append(ids, e.ID)
					batch = append(batch, e)
					if !has(ref, e.ID) || e.Until > ref[e.ID] {
						ref[e.ID] = e.Until
					}
				}
				s.Merge(batch)
			case op < 99:
				id := ids[r.IntN(len(ids))]
				if got, ok := s.Get(id); got != ref[id] || ok != has(ref, id) {
					t.Fatalf("step %d: Get = %d, %v; want %d, %v", step, got, ok, ref[id], has(ref, id))
				}
			default:
				now := int64(r.IntN(300))
				s.Sweep(now)
				for id, u := range ref {
					if !Live(u, now) {
						delete(ref, id)
					}
				}
			}
		}
		if s.Len() != len(ref) {
			t.Fatalf("skewed %v: %d entries, want %d", skewed, s.Len(), len(ref))
		}
		for id, want := range ref {
			if got, ok := s.Get(id); !ok || got != want {
				t.Fatalf("skewed %v: Get = %d, %v; want %d", skewed, got, ok, want)
			}
		}
		for id, u := range s.All() {
			if ref[id] != u {
				t.Fatalf("All yields %d, want %d", u, ref[id])
			}
		}
		if _, ok := s.Get(newID()); ok {
			t.Fatal("an identifier never added is found")
		}
	}
}

func has(m map[ID]uint32, id ID) bool { _, ok := m[id]; return ok }

// TestUntilRoundsUp: an until time is rounded up to the second, so a
// revocation never ends early, and ends at most a second late.
func TestUntilRoundsUp(t *testing.T) {
	base := time.Unix(Epoch+1000, 0)
	for _, d := range []time.Duration{0, time.Nanosecond, time.Millisecond, 999 * time.Millisecond, time.Second} {
		at := base.Add(d)
		u := Until(at)
		if u != UntilMilli(at.Add(time.Millisecond-time.Nanosecond).UnixMilli()) {
			t.Errorf("%v: Until %d, UntilMilli %d", d, u, UntilMilli(at.UnixMilli()))
		}
		if before := at.Add(-time.Nanosecond); !Live(u, Now(before)) || !Live(u, NowMilli(before.UnixMilli())) {
			t.Errorf("%v: not live just before until", d)
		}
		if after := at.Add(time.Second); Live(u, Now(after)) || Live(u, NowMilli(after.UnixMilli())) {
			t.Errorf("%v: live a second after until", d)
		}
	}
	if Until(time.Unix(0, 0)) != 0 || Until(time.Unix(1<<40, 0)) != ^uint32(0) {
		t.Error("out of range times are not clamped")
	}
	if NowMilli(-1) != -1-Epoch || Milli(UntilMilli(1_700_000_000_001)) != 1_700_000_001_000 {
		t.Error("millisecond conversions")
	}
}

// TestParse: only Session.ID's exact form is taken.
func TestParse(t *testing.T) {
	id := ID{1, 2, 3, 250}
	if got, ok := Parse(id.String()); !ok || got != id {
		t.Fatal("a Session.ID does not parse back")
	}
	s := id.String()
	for _, bad := range []string{"", s[:21], s + "A", s[:21] + "B", s[:21] + "=", "AAAAAAAAAAAAAAAAAAAA+A"} {
		if _, ok := Parse(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	// Against encoding/base64's strict decoder, on random strings of the
	// alphabet with now and then a byte outside it.
	r := rand.New(rand.NewPCG(3, 4))
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. \x00\x80\xff"
	for range 100_000 {
		b := make([]byte, 22)
		for i := range b {
			b[i] = chars[r.IntN(64)]
			if r.IntN(200) == 0 {
				b[i] = chars[r.IntN(len(chars))]
			}
		}
		var want ID
		n, err := strict.Decode(want[:], b)
		got, ok := Parse(string(b))
		if ok != (err == nil && n == Size) || ok && got != want {
			t.Fatalf("Parse(%q) = %x, %v; encoding/base64: %x, %v", b, got, ok, want, err)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Parse(s) }); n != 0 {
		t.Errorf("Parse allocates %v times", n)
	}
}
