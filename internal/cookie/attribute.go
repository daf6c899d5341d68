package cookie

// The Path and Domain attributes a browser takes.

import "strings"

// MaxAttributeBytes is the longest attribute value (Path, Domain) a
// browser keeps: RFC 6265bis §5.6 ignores longer ones.
const MaxAttributeBytes = 1024

// Host-name limits of RFC 1035 §2.3.4.
const (
	maxDomainBytes = 253 // a name, without the trailing dot
	maxLabelBytes  = 63
)

// ValidPath reports whether path is a Path attribute a browser keeps as
// given: it starts with '/' (RFC 6265 §5.2.4, else the browser uses the
// default path), holds no ';' or control character (path-value, RFC 6265
// §4.1.1), only ASCII, and at most MaxAttributeBytes bytes.
func ValidPath(path string) bool {
	if path == "" || path[0] != '/' || len(path) > MaxAttributeBytes || strings.IndexByte(path, ';') >= 0 {
		return false
	}
	for i := 0; i < len(path); i++ {
		if path[i] < 0x20 || path[i] >= 0x7f {
			return false
		}
	}
	return true
}

// ValidDomain reports whether d is a plausible host name for Domain= (RFC
// 6265 §4.1.2.3, a leading '.' ignored): labels of letters, digits and
// '-', not starting or ending with '-', within RFC 1035's lengths.
func ValidDomain(d string) bool {
	d = strings.TrimPrefix(d, ".")
	if d == "" || len(d) > maxDomainBytes {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > maxLabelBytes || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
