package chunks

import (
	"errors"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/cookie"
)

func TestPresenceHighest(t *testing.T) {
	var p Presence
	if p.Highest() != 0 {
		t.Fatal("empty Presence")
	}
	for _, i := range []int{1, 2, 63, 64, 65, 127, 128, 200, 255} {
		p.Set(i)
		if got := p.Highest(); got != i {
			t.Fatalf("after set(%d): highest %d", i, got)
		}
	}
}

// TestRead reads a value split by Split back, with the parts in any order
// and stale parts after it ignored, and refuses what no writer makes: a
// part sent twice, a missing first part, a cookie over the hard limit.
func TestRead(t *testing.T) {
	l := Limits{Cookie: 100, Total: 1000, Chunks: 5}
	value := strings.Repeat("v", 250)
	parts := Split("s", value, 3, l)
	pair := func(i int, v string) string { return Name("s", i) + "=" + v }
	line := pair(3, parts[2]) + "; other=1; " + pair(1, parts[0]) + "; " + pair(2, parts[1]) + "; s~0=x"
	in, err := Read([]string{line, pair(4, "stale")}, "s", l)
	if err != nil || in.Value != value || in.Chunks != 3 || in.Full || !in.Present.Has(4) || in.Present.Highest() != 4 {
		t.Fatalf("Read = %+v, %v", in, err)
	}
	if len(in.Foreign) != 1 || in.Foreign[0] != "s~0" {
		t.Fatalf("foreign names %q", in.Foreign)
	}
	for name, c := range map[string]struct {
		lines []string
		want  error
	}{
		"twice":         {[]string{pair(1, parts[0]), pair(1, parts[0])}, ErrChunks},
		"first missing": {[]string{pair(2, parts[1])}, ErrChunks},
		"too many":      {[]string{strings.Repeat("sx=1; ", cookie.MaxCookies+1)}, ErrChunks},
	} {
		if _, err := Read(c.lines, "s", l); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	var tl *TooLarge
	if _, err := Read([]string{"s=" + strings.Repeat("x", 5000)}, "s", l); !errors.As(err, &tl) || tl.Name != "s" || tl.Chunks != 1 {
		t.Fatalf("oversize cookie: %v", err)
	}
	if tl.Error() == "" {
		t.Fatal("empty message")
	}
}
