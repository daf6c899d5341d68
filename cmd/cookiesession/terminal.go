package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text from a cookie or from Redis reaches the terminal only through
// terminalSafe: such text is chosen by whoever wrote the cookie or controls
// the server, and a terminal acts on control characters (ECMA-48): ESC
// (U+001B) and its 8-bit form CSI (U+009B) start sequences that move the
// cursor, rewrite the screen or set the window title.

// terminalSafe returns s with every character a terminal could act on
// replaced by its \uXXXX escape: C0 controls other than newline and tab,
// DEL, the C1 controls U+0080-U+009F, and the bidirectional controls
// (which reorder what is shown, Unicode UAX #9). An invalid UTF-8 byte
// becomes \ufffd. Inside a JSON string the escapes decode to the same
// text (an invalid byte to U+FFFD, as encoding/json decodes it), so JSON
// stays valid and equal.
func terminalSafe(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r) {
			fmt.Fprintf(&b, `\u%04x`, r) // an invalid byte decodes as U+FFFD
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports whether terminalSafe escapes r. U+FFFD stands for an
// invalid byte as utf8 decodes it.
func unsafeRune(r rune) bool {
	return (unicode.IsControl(r) && r != '\n' && r != '\t') || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError
}
