package proxy

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Run("empty trusts nobody", func(t *testing.T) {
		for _, entries := range [][]string{nil, {}} {
			pt, err := Parse(entries)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{"127.0.0.1", "::1", "10.0.0.1", "203.0.113.1"} {
				if pt.trusts(netip.MustParseAddr(a)) {
					t.Errorf("empty configuration trusts %s", a)
				}
			}
		}
	})
	bad := []struct {
		entry string
		why   string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"10.0.0.256", "not an IP address"},
		{"10.0.0.0/33", "CIDR"},
		{"10.0.0.0/", "CIDR"},
		{"2001:db8::/129", "CIDR"},
		{"everyone", "not an IP address"},
		{"true", "not an IP address"},
		{"*", "not an IP address"},
		{"loopback, 10.0.0.1", "more than one value"},
		{"10.0.0.1 10.0.0.2", "more than one value"},
		{"fe80::1%eth0", "zone"},
		{"10.0.0.1:80", "not an IP address"},
		{"[::1]", "not an IP address"},
		{"localhost", "not an IP address"},
	}
	for _, tc := range bad {
		t.Run("bad "+tc.entry, func(t *testing.T) {
			pt, err := Parse([]string{"loopback", tc.entry})
			if err == nil {
				t.Fatalf("accepted %q: %+v", tc.entry, pt)
			}
			msg := err.Error()
			for _, want := range []string{"TrustedProxies[1]", `"` + tc.entry + `"`, tc.why, "loopback", "private", "linklocal", "CIDR"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
		})
	}
}
