package cookie

import (
	"testing"
	"time"
)

// TestAppendDateMatchesAppendFormat compares AppendDate with
// AppendFormat(TimeFormat) over every month, weekday and hour edge of
// four centuries, years of fewer than four digits, years past 9999, and
// times in other zones.
func TestAppendDateMatchesAppendFormat(t *testing.T) {
	zone := time.FixedZone("", -7*3600-30*60)
	var times []time.Time
	for y := 1970; y < 2400; y += 7 {
		for m := time.January; m <= time.December; m++ {
			times = append(times, time.Date(y, m, 1, 0, 0, 0, 0, time.UTC),
				time.Date(y, m, 28, 23, 59, 59, 999999999, zone))
		}
	}
	for _, y := range []int{0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 123456, -1, -2024} {
		times = append(times, time.Date(y, time.March, 9, 4, 5, 6, 0, time.UTC))
	}
	times = append(times, time.Unix(1<<40, 0), time.Now())
	for _, tm := range times {
		want := tm.UTC().Format(TimeFormat)
		if got := string(AppendDate([]byte("x"), tm)); got != "x"+want {
			t.Errorf("AppendDate(%v) = %q, want %q", tm, got[1:], want)
		}
	}
}

func BenchmarkAppendDate(b *testing.B) {
	tm := time.Now()
	var buf [32]byte
	for b.Loop() {
		AppendDate(buf[:0], tm)
	}
}
