package migrate

// Errors of encoding/gob without the session data they may carry.
// encoding/gob passes the error of a value's own GobDecode or
// UnmarshalBinary method (and GobEncode, MarshalBinary) through verbatim
// (it uses no TextMarshaler methods), and such a message can quote the value: url.URL's
// UnmarshalBinary returns `parse "https://…?token=…": …`. gob's own
// messages name types, fields and lengths only. These functions keep a
// category and type names, never a method's message.

import (
	"encoding/gob"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

const (
	// gobUnregistered is the text of encoding/gob's errors for a type that
	// gob.Register never named (decodeInterface in decode.go, encodeInterface
	// in encode.go), before the type's name.
	gobUnregisteredDecode = "gob: name not registered for interface: "
	gobUnregisteredEncode = "gob: type not registered for interface: "
	// gobMaxNamesShown is how many type names an error lists.
	gobMaxNamesShown = 4
)

// gobDecodeProblem describes err, from decoding a gob stream in which
// checkGob found the marshaler types marshalers: the name of a type not
// registered; gob's own message if no method of a value ran (no marshaler
// type in the stream); else only that a method or gob failed, and the
// types that have such methods.
func gobDecodeProblem(err error, marshalers []string) (msg string, unregistered bool) {
	text := err.Error()
	if name, ok := strings.CutPrefix(text, gobUnregisteredDecode); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil && goTypeName(n) {
			return n, true
		}
		return "a type name that is not a Go type's", true
	}
	if len(marshalers) == 0 && strings.HasPrefix(text, "gob: ") {
		return strings.TrimPrefix(text, "gob: "), false
	}
	return "gob, or the GobDecode or UnmarshalBinary method of a value of " + typeNames(marshalers) + ", failed (a method's own message is not shown: it may quote session data)", false
}

// gobEncodeProblem describes err, from gob-encoding values: the name of a
// type not registered, or the types of the values that gob cannot encode
// (each encoded alone to find them), never a method's message.
func gobEncodeProblem(err error, values map[interface{}]interface{}) (msg string, unregistered bool) {
	for {
		c, ok := err.(interface{ Cause() error }) // securecookie's errors
		if !ok || c.Cause() == nil {
			break
		}
		err = c.Cause()
	}
	if name, ok := strings.CutPrefix(err.Error(), gobUnregisteredEncode); ok && goTypeName(name) {
		return name, true
	}
	var failed []string
	for _, v := range values {
		if gob.NewEncoder(io.Discard).Encode(map[interface{}]interface{}{"": v}) != nil {
			failed = append(failed, fmt.Sprintf("%T", v))
		}
	}
	return "gob, or the GobEncode or MarshalBinary method of a value of " + typeNames(failed) + ", failed (a method's own message is not shown: it may quote session data)", false
}

// typeNames lists the distinct Go type names in names, sorted, at most
// gobMaxNamesShown of them; a name that is not a Go type's is left out.
func typeNames(names []string) string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if goTypeName(n) && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return "some type"
	}
	sort.Strings(out)
	more := ""
	if len(out) > gobMaxNamesShown {
		out, more = out[:gobMaxNamesShown], fmt.Sprintf(" and %d more", len(out)-gobMaxNamesShown)
	}
	return "type " + strings.Join(out, ", ") + more
}

// goTypeName reports whether s can be a Go type's name as gob or %T
// writes it (map[string]interface {}, *url.URL, app.User): short, and
// only identifier characters and type punctuation, so no quoted text.
func goTypeName(s string) bool {
	if s == "" || len(s) > gobMaxNameLen {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c == '*' || c == '[' || c == ']' || c == '{' || c == '}' || c == ' ' || c == '/' || c == '-' ||
			'0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c > 0x7f && c != 0xfffd) {
			return false
		}
	}
	return true
}
