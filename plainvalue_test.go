package cookiesession

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// stamp has its own MarshalJSON: its JSON is not a function of its bytes
// as far as the store can know.
type stamp int

func (s stamp) MarshalJSON() ([]byte, error) { return json.Marshal(int(s)) }

// TestPlainLayoutOf checks which data types get the value copy and
// compare: only those a change cannot reach without changing their bytes.
func TestPlainLayoutOf(t *testing.T) {
	cases := []struct {
		t     reflect.Type
		plain bool
	}{
		{reflect.TypeFor[struct{ N int }](), true},
		{reflect.TypeFor[struct {
			A int8
			B int64
			S string
			F float64
			T time.Time
			R [3]uint16
		}](), true},
		{reflect.TypeFor[[4]struct {
			A bool
			B int32
		}](), true},
		{reflect.TypeFor[struct{}](), true},
		{reflect.TypeFor[cart](), false}, // a slice
		{reflect.TypeFor[struct{ M map[string]int }](), false},
		{reflect.TypeFor[struct{ P *int }](), false},
		{reflect.TypeFor[struct{ V any }](), false},
		{reflect.TypeFor[[2]*int](), false},
		{reflect.TypeFor[Map](), false},
		{reflect.TypeFor[struct{ S stamp }](), false},
		{reflect.TypeFor[struct{ time.Time }](), false}, // MarshalJSON promoted
		{reflect.TypeFor[struct{ C chan int }](), false},
		{reflect.TypeFor[struct{ F func() }](), false},
	}
	for _, c := range cases {
		if got := plainLayoutOf(c.t) != nil; got != c.plain {
			t.Errorf("%v: plain %v, want %v", c.t, got, c.plain)
		}
	}
	l := plainLayoutOf(reflect.TypeFor[struct {
		A int8
		B int64
	}]())
	if len(l) != 2 || l[0] != (byteRange{0, 1}) || l[1] != (byteRange{8, 8}) {
		t.Errorf("padded struct: layout %v, want [{0 1} {8 8}]", l)
	}
}

// lateChangeReported runs two requests through a store of T's middleware:
// the first saves prepare's session, the second changes it with before,
// starts the response (committing it), then changes it with after. It
// fails unless exactly one EventLostChange names Data.
func lateChangeReported[T any](t *testing.T, prepare, before, after func(*T)) {
	t.Helper()
	var lost lostRecorder
	s := newStore[T](t, Options{OnEvent: onLost(lost.report)})
	j := jar{}
	j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		prepare(&s.Get(r).Data)
	})))
	j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		before(&sess.Data)
		io.WriteString(w, "body")
		if !sess.Changed() {
			t.Error("Changed() false after a change")
		}
		after(&sess.Data)
	})))
	if len(lost.errs) != 1 {
		t.Fatalf("%d reports of the late change, want 1: %v", len(lost.errs), lost.errs)
	}
	if lc, ok := lost.errs[0].(*LostChangeError); !ok || lc.What != "Data" {
		t.Fatalf("report %v, want a LostChangeError naming Data", lost.errs[0])
	}
}

// TestLateChangeValueCompare checks that the value copy and compare that
// spares the second encoding still sees every late change: in a plain type
// (the compare), and in the types whose change leaves their own bytes as
// they were (a slice element, a map entry, a pointer's target, a Map),
// which must be encoded again.
func TestLateChangeValueCompare(t *testing.T) {
	type padded struct {
		A int8
		B int64
		S string
		F float64
		T time.Time
	}
	t.Run("plain/int", func(t *testing.T) {
		lateChangeReported(t, func(d *padded) { d.B = 1 }, func(d *padded) { d.A++ }, func(d *padded) { d.B++ })
	})
	t.Run("plain/string", func(t *testing.T) {
		lateChangeReported(t, func(d *padded) { d.S = "abc" }, func(d *padded) { d.A++ }, func(d *padded) { d.S = "abd" })
	})
	t.Run("plain/negative-zero", func(t *testing.T) { // -0 encodes as -0, +0 as 0
		lateChangeReported(t, func(d *padded) {}, func(d *padded) { d.A++ }, func(d *padded) { d.F = math.Copysign(0, -1) })
	})
	t.Run("plain/time", func(t *testing.T) {
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		lateChangeReported(t, func(d *padded) { d.T = at }, func(d *padded) { d.A++ }, func(d *padded) { d.T = d.T.Add(time.Nanosecond) })
	})
	type withSlice struct{ L []int }
	t.Run("slice-element", func(t *testing.T) {
		lateChangeReported(t, func(d *withSlice) { d.L = []int{1} }, func(d *withSlice) { d.L[0] = 2 }, func(d *withSlice) { d.L[0] = 3 })
	})
	type withMap struct{ M map[string]int }
	t.Run("map-entry", func(t *testing.T) {
		lateChangeReported(t, func(d *withMap) { d.M = map[string]int{"k": 1} }, func(d *withMap) { d.M["k"] = 2 }, func(d *withMap) { d.M["k"] = 3 })
	})
	type withPointer struct{ P *int }
	t.Run("pointer-target", func(t *testing.T) {
		lateChangeReported(t, func(d *withPointer) { d.P = new(int) }, func(d *withPointer) { *d.P = 2 }, func(d *withPointer) { *d.P = 3 })
	})
	t.Run("Map", func(t *testing.T) {
		lateChangeReported(t, func(d *Map) { (*d)["k"] = 1 }, func(d *Map) { (*d)["k"] = 2 }, func(d *Map) { (*d)["k"] = 3 })
	})
}
