package cookiesession

import (
	"io"
	"math"
	"net/http"
	"testing"
	"time"
)

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
