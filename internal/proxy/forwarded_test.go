package proxy

import (
	"strings"
	"testing"
)

func TestForwardedBounds(t *testing.T) {
	pt := mustTrust(t, "private")
	elems := func(n int, last string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "for=10.0.0.9;proto=http"
		}
		parts[n-1] = last
		return strings.Join(parts, ", ")
	}
	protos := func(n int) string {
		return strings.Repeat("http,", n-1) + "https"
	}
	tests := []struct {
		name    string
		headers []hdr
		want    bool
	}{
		{"XFP at the hop limit", []hdr{xfp(protos(maxForwardedHops))}, true},
		{"XFP over the hop limit", []hdr{xfp(protos(maxForwardedHops + 1))}, false},
		{"XFP hops over several lines", []hdr{xfp(protos(maxForwardedHops / 2)), xfp(protos(maxForwardedHops/2 + 1))}, false},
		{"XFP over the byte limit", []hdr{xfp(strings.Repeat(" ", maxForwardedBytes) + "https")}, false},
		{"XFP byte limit over several lines", []hdr{xfp(strings.Repeat(" ", maxForwardedBytes/2)), xfp(strings.Repeat(" ", maxForwardedBytes/2) + "https")}, false},
		{"Forwarded at the hop limit", []hdr{fwd(elems(maxForwardedHops, "proto=https"))}, true},
		{"Forwarded over the hop limit", []hdr{fwd(elems(maxForwardedHops+1, "proto=https"))}, false},
		{"Forwarded over the byte limit", []hdr{fwd(strings.Repeat(";", maxForwardedBytes) + "proto=https")}, false},
		{"Forwarded huge quoted string", []hdr{fwd(`proto=https;x="` + strings.Repeat("a", 1<<20) + `"`)}, false},
		{"Forwarded many lines", func() []hdr {
			var h []hdr
			for range 1000 {
				h = append(h, fwd("proto=https"))
			}
			return h
		}(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newConn("10.0.0.2:1", false, "", tc.headers...)
			if got := pt.HTTPS(r); got != tc.want {
				t.Errorf("HTTPS = %v, want %v (%s)", got, tc.want, pt.Explain(r))
			}
		})
	}
}

// FuzzForwardedHeaders feeds arbitrary Forwarded and X-Forwarded-Proto
// values through HTTPS. Its seed corpus is in
// testdata/fuzz/FuzzForwardedHeaders.
func FuzzForwardedHeaders(f *testing.F) {
	pt := mustTrust(f, "10.0.0.0/8", "2001:db8::/32")
	f.Fuzz(func(t *testing.T, forwarded, proto string) {
		var headers []hdr
		if forwarded != "" {
			headers = append(headers, fwd(forwarded))
		}
		if proto != "" {
			headers = append(headers, xfp(proto))
		}
		trusted := newConn("10.0.0.2:1", false, "example.com", headers...)
		got := pt.HTTPS(trusted)
		if again := pt.HTTPS(trusted); again != got {
			t.Fatalf("not deterministic: %v then %v", got, again)
		}

		// A peer outside the trusted prefixes is never believed.
		if pt.HTTPS(newConn("198.51.100.7:1", false, "example.com", headers...)) {
			t.Fatal("untrusted peer believed")
		}
		if !got {
			return
		}

		// https can only come from a value spelling https (perhaps with
		// quoted-pair escapes).
		unescaped := strings.ToLower(strings.ReplaceAll(forwarded+","+proto, `\`, ""))
		if !strings.Contains(unescaped, "https") {
			t.Fatalf("https from headers that do not say it: %q, %q", forwarded, proto)
		}

		// A nearest proxy that adds "client used http" always wins.
		added := append(headers[:len(headers):len(headers)], fwd("for=198.51.100.7;proto=http"))
		if pt.HTTPS(newConn("10.0.0.2:1", false, "example.com", added...)) {
			t.Fatalf("appended Forwarded http element ignored: %q, %q", forwarded, proto)
		}
		added = append(headers[:len(headers):len(headers)], xfp("http"))
		if pt.HTTPS(newConn("10.0.0.2:1", false, "example.com", added...)) {
			t.Fatalf("appended X-Forwarded-Proto http ignored: %q, %q", forwarded, proto)
		}
	})
}
