package cookie

import (
	"strings"
	"testing"
)

func TestValidPath(t *testing.T) {
	long := "/" + strings.Repeat("a", MaxAttributeBytes-1)
	for s, want := range map[string]bool{
		"/": true, "/app": true, "/a b/%20?x=1": true, long: true,
		"": false, "app": false, "/a;b": false, "/a\x00": false, "/a\r\n": false, "/a\tb": false,
		"/a\x7f": false, "/é": false, long + "a": false,
	} {
		if got := ValidPath(s); got != want {
			t.Errorf("ValidPath(%.20q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidDomain(t *testing.T) {
	label := strings.Repeat("a", maxLabelBytes)
	name := strings.Repeat(label+".", 3) + strings.Repeat("b", maxDomainBytes-3*(maxLabelBytes+1))
	for s, want := range map[string]bool{
		"example.com": true, ".example.com": true, "a-b.example": true, "localhost": true, "xn--d1acufc.xn--p1ai": true,
		label + ".com": true, name: true,
		"": false, ".": false, "example..com": false, "-a.com": false, "a-.com": false, "a_b.com": false,
		"example.com.": false, "a b.com": false, "[::1]": false, "exa;mple.com": false,
		label + "a.com": false, name + "b": false,
	} {
		if got := ValidDomain(s); got != want {
			t.Errorf("ValidDomain(%.30q) = %v, want %v", s, got, want)
		}
	}
}
