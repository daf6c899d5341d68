package flash

// The flash envelope (docs/FORMAT.md, "Plaintext"): a session with flash
// messages seals
//
//	[data, [message, ...]]                                  default category only
//	[data, [message, ...], [[category, [message, ...]], ...]] with categories
//
// and sets the header's flashes flag; one without seals the data JSON
// alone. A session with only default-category messages seals exactly what
// versions without categories sealed, and readers of those versions ignore
// the third element.

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// Check inspects fl, the JSON of f's messages as Seal writes them into
// the envelope; Seal fails with its error. The store refuses messages
// that are not valid UTF-8 with it.
type Check func(fl []byte, f *Set) error

// Seal returns the plaintext to seal: the metadata m, if any
// (format.AppendMeta), then dataJSON, or the flash envelope with f's
// messages, which check, if not nil, accepts. A plain session's plaintext
// is dataJSON itself, with no copy.
func Seal(m *format.Meta, dataJSON []byte, f *Set, check Check) ([]byte, error) {
	if f.Empty() && m.Empty() {
		return dataJSON, nil
	}
	fl, err := marshalFlashes(f)
	if err == nil && fl != nil && check != nil {
		err = check(fl, f)
	}
	if err != nil {
		return nil, err
	}
	pt := make([]byte, 0, m.Size()+len(dataJSON)+len(fl)+3)
	if !m.Empty() {
		if pt, err = format.AppendMeta(pt, m); err != nil {
			return nil, err
		}
	}
	if fl == nil {
		return append(pt, dataJSON...), nil
	}
	return append(append(append(append(append(pt, '['), dataJSON...), ','), fl...), ']'), nil
}

// marshalFlashes returns the envelope's elements after the data:
// `[message, ...]`, then `,[[category, [message, ...]], ...]` when f has
// categories; nil when f is empty.
func marshalFlashes(f *Set) ([]byte, error) {
	if f.Empty() {
		return nil, nil
	}
	def := f.Default
	if def == nil {
		def = []string{}
	}
	fl, err := jsonx.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("%w: flash messages: %s", format.ErrEncode, jsonx.Problem(err))
	}
	if len(f.Cats) == 0 {
		return fl, nil
	}
	pairs := make([][2]any, len(f.Cats))
	for i, c := range f.Cats {
		if !ValidCategory(c.Name) {
			return nil, fmt.Errorf("%w: a flash category must be valid UTF-8 of at most %d bytes (AddFlashTo)", format.ErrEncode, MaxCategoryBytes)
		}
		pairs[i] = [2]any{c.Name, c.Msgs}
	}
	cats, err := jsonx.Marshal(pairs)
	if err != nil {
		return nil, fmt.Errorf("%w: flash messages: %s", format.ErrEncode, jsonx.Problem(err))
	}
	return append(append(fl, ','), cats...), nil
}

// Open splits an opened envelope into the data JSON and the flash
// messages; its errors say what is wrong, for the store to wrap in
// ErrDecode. Elements after the third are ignored, as readers without
// categories ignore the third.
func Open(pt []byte) ([]byte, Set, error) {
	var arr [3]json.RawMessage
	if err := json.Unmarshal(pt, &arr); err != nil || arr[0] == nil {
		return nil, Set{}, errors.New("flash envelope is not [data, [messages]]")
	}
	var f Set
	if err := json.Unmarshal(arr[1], &f.Default); err != nil {
		return nil, Set{}, fmt.Errorf("flash messages: %s", jsonx.Problem(err))
	}
	if len(f.Default) == 0 {
		f.Default = nil
	}
	if arr[2] != nil {
		var err error
		if f.Cats, err = parseCategories(arr[2]); err != nil {
			return nil, Set{}, err
		}
	}
	return arr[0], f, nil
}

// parseCategories parses the envelope's categories, `[[category,
// [message, ...]], ...]`: each category non-empty, at most
// MaxCategoryBytes, once, with at least one message. Time and memory
// are linear in len(b).
func parseCategories(b json.RawMessage) ([]Category, error) {
	var pairs [][]json.RawMessage
	if err := json.Unmarshal(b, &pairs); err != nil {
		return nil, fmt.Errorf("flash categories: %s", jsonx.Problem(err))
	}
	cats := make([]Category, 0, len(pairs))
	seen := make(map[string]struct{}, len(pairs))
	for i, p := range pairs {
		var c Category
		if len(p) != 2 || json.Unmarshal(p[0], &c.Name) != nil || json.Unmarshal(p[1], &c.Msgs) != nil {
			return nil, fmt.Errorf("flash category %d is not [category, [messages]]", i)
		}
		if _, dup := seen[c.Name]; dup || c.Name == "" || len(c.Name) > MaxCategoryBytes || len(c.Msgs) == 0 {
			return nil, fmt.Errorf("flash category %d is empty, longer than %d bytes, repeated, or has no message", i, MaxCategoryBytes)
		}
		seen[c.Name] = struct{}{}
		cats = append(cats, c)
	}
	if len(cats) == 0 {
		return nil, nil
	}
	return cats, nil
}
