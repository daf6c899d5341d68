package cookiesession

// Strings that are not UTF-8. encoding/json writes each invalid byte of a
// Go string as U+FFFD without an error (internal/jsonx/utf8.go), so binary
// data kept in a string would come back changed. Session.marshal refuses
// such data instead, naming where it is.

import (
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// checkUTF8 returns an ErrEncode error naming where the data *v (as
// marshalData took it), whose JSON is dataJSON, holds a string that is not
// valid UTF-8; nil when it holds none. JSON without U+FFFD, escaped or
// not, replaced nothing: that check costs two scans of dataJSON, and only
// otherwise is the data searched. A genuine U+FFFD, or one a MarshalJSON
// or MarshalText method wrote, passes.
func checkUTF8(dataJSON []byte, v any) error {
	if !jsonx.HasReplacement(dataJSON) {
		return nil
	}
	where, err := jsonx.FindInvalidUTF8(reflect.ValueOf(v).Elem(), "Data")
	switch {
	case err != nil:
		return fmt.Errorf("%w: Data's JSON holds U+FFFD, and Data is %w", ErrEncode, err)
	case where == "":
		return nil
	}
	return notUTF8Error(where)
}

// checkFlashUTF8 returns an ErrEncode error naming the first flash
// message of f that is not valid UTF-8, when fl, f's JSON, holds U+FFFD;
// nil otherwise.
func checkFlashUTF8(fl []byte, f *flashSet) error {
	if !jsonx.HasReplacement(fl) {
		return nil
	}
	for i, m := range f.Default {
		if !utf8.ValidString(m) {
			return notUTF8Error(fmt.Sprintf("flash message %d (AddFlash)", i))
		}
	}
	for i, c := range f.Cats {
		for j, m := range c.Msgs {
			if !utf8.ValidString(m) {
				return notUTF8Error(fmt.Sprintf("flash message %d of category %d, counted from 0 in the order the categories came (AddFlashTo)", j, i))
			}
		}
	}
	return nil
}

// notUTF8Error is the error for a string that is not valid UTF-8 at what.
func notUTF8Error(what string) error {
	return fmt.Errorf("%w: %s is a string that is not valid UTF-8, and JSON would give it back with U+FFFD in place of its invalid bytes: "+
		"store bytes as []byte (encoding/json base64-encodes them), or encode the string yourself (encoding/base64)", ErrEncode, what)
}
