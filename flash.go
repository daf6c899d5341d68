package cookiesession

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
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// maxFlashCategoryBytes is the longest category Session.AddFlashTo takes,
// 255, as Session.SetSubject's limit for a subject: a category is a label in
// code ("error", "info"), and a longer one is most likely a message passed
// as the category.
const maxFlashCategoryBytes = 255

// flashSet is a session's flash messages: the default category's, and
// those of other categories in the order of their first message. Its
// slices may be shared with another flashSet (held and wanted): add and
// take never write to them, they replace them.
type flashSet struct {
	def  []string
	cats []flashCategory // none with an empty name or no messages
}

// flashCategory is one category's messages, in the order they were added.
type flashCategory struct {
	name string
	msgs []string
}

// empty reports whether f holds no message.
func (f *flashSet) empty() bool { return len(f.def) == 0 && len(f.cats) == 0 }

// equal reports whether f and o hold the same messages in the same order.
func (f *flashSet) equal(o *flashSet) bool {
	return slices.Equal(f.def, o.def) && slices.EqualFunc(f.cats, o.cats, func(a, b flashCategory) bool {
		return a.name == b.name && slices.Equal(a.msgs, b.msgs)
	})
}

// add queues msg in category cat ("" is the default category).
func (f *flashSet) add(cat, msg string) {
	if cat == "" {
		f.def = append(slices.Clip(f.def), msg)
		return
	}
	cats := slices.Clone(f.cats)
	if i := f.index(cat); i >= 0 {
		cats[i].msgs = append(slices.Clip(cats[i].msgs), msg)
	} else {
		cats = append(cats, flashCategory{name: cat, msgs: []string{msg}})
	}
	f.cats = cats
}

// take returns category cat's messages and removes them from f.
func (f *flashSet) take(cat string) []string {
	if cat == "" {
		msgs := f.def
		f.def = nil
		return msgs
	}
	i := f.index(cat)
	if i < 0 {
		return nil
	}
	msgs := f.cats[i].msgs
	f.cats = append(slices.Clip(f.cats[:i]), f.cats[i+1:]...)
	if len(f.cats) == 0 {
		f.cats = nil
	}
	return msgs
}

// index is the position of category cat in f.cats, or -1.
func (f *flashSet) index(cat string) int {
	return slices.IndexFunc(f.cats, func(c flashCategory) bool { return c.name == cat })
}

// validCategory reports whether cat can be sealed as a category: valid
// UTF-8 (JSON would replace invalid bytes, and FlashesOf would then never
// find it) of at most maxFlashCategoryBytes bytes.
func validCategory(cat string) bool {
	return len(cat) <= maxFlashCategoryBytes && utf8.ValidString(cat)
}

// sealEnvelope returns the plaintext to seal: the metadata m, if any
// (meta.go), then dataJSON, or the flash envelope with f's messages. A
// plain session's plaintext is dataJSON itself, with no copy.
func sealEnvelope(m *meta, dataJSON []byte, f *flashSet) ([]byte, error) {
	if f.empty() && m.empty() {
		return dataJSON, nil
	}
	fl, err := marshalFlashes(f)
	if err != nil {
		return nil, err
	}
	pt := make([]byte, 0, m.size()+len(dataJSON)+len(fl)+3)
	if !m.empty() {
		if pt, err = appendMeta(pt, m); err != nil {
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
func marshalFlashes(f *flashSet) ([]byte, error) {
	if f.empty() {
		return nil, nil
	}
	def := f.def
	if def == nil {
		def = []string{}
	}
	fl, err := jsonx.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("%w: flash messages: %s", ErrEncode, jsonx.Problem(err))
	}
	if len(f.cats) == 0 {
		return fl, checkFlashUTF8(fl, f)
	}
	pairs := make([][2]any, len(f.cats))
	for i, c := range f.cats {
		if !validCategory(c.name) {
			return nil, fmt.Errorf("%w: a flash category must be valid UTF-8 of at most %d bytes (AddFlashTo)", ErrEncode, maxFlashCategoryBytes)
		}
		pairs[i] = [2]any{c.name, c.msgs}
	}
	cats, err := jsonx.Marshal(pairs)
	if err != nil {
		return nil, fmt.Errorf("%w: flash messages: %s", ErrEncode, jsonx.Problem(err))
	}
	fl = append(append(fl, ','), cats...)
	return fl, checkFlashUTF8(fl, f)
}

// openEnvelope splits an opened envelope into the data JSON and the flash
// messages. Elements after the third are ignored, as readers without
// categories ignore the third.
func openEnvelope(pt []byte) ([]byte, flashSet, error) {
	var arr [3]json.RawMessage
	if err := json.Unmarshal(pt, &arr); err != nil || arr[0] == nil {
		return nil, flashSet{}, fmt.Errorf("%w: flash envelope is not [data, [messages]]", ErrDecode)
	}
	var f flashSet
	if err := json.Unmarshal(arr[1], &f.def); err != nil {
		return nil, flashSet{}, fmt.Errorf("%w: flash messages: %s", ErrDecode, jsonx.Problem(err))
	}
	if len(f.def) == 0 {
		f.def = nil
	}
	if arr[2] != nil {
		var err error
		if f.cats, err = parseCategories(arr[2]); err != nil {
			return nil, flashSet{}, err
		}
	}
	return arr[0], f, nil
}

// parseCategories parses the envelope's categories, `[[category,
// [message, ...]], ...]`: each category non-empty, at most
// maxFlashCategoryBytes, once, with at least one message. Time and memory
// are linear in len(b).
func parseCategories(b json.RawMessage) ([]flashCategory, error) {
	var pairs [][]json.RawMessage
	if err := json.Unmarshal(b, &pairs); err != nil {
		return nil, fmt.Errorf("%w: flash categories: %s", ErrDecode, jsonx.Problem(err))
	}
	cats := make([]flashCategory, 0, len(pairs))
	seen := make(map[string]struct{}, len(pairs))
	for i, p := range pairs {
		var c flashCategory
		if len(p) != 2 || json.Unmarshal(p[0], &c.name) != nil || json.Unmarshal(p[1], &c.msgs) != nil {
			return nil, fmt.Errorf("%w: flash category %d is not [category, [messages]]", ErrDecode, i)
		}
		if _, dup := seen[c.name]; dup || c.name == "" || len(c.name) > maxFlashCategoryBytes || len(c.msgs) == 0 {
			return nil, fmt.Errorf("%w: flash category %d is empty, longer than %d bytes, repeated, or has no message", ErrDecode, i, maxFlashCategoryBytes)
		}
		seen[c.name] = struct{}{}
		cats = append(cats, c)
	}
	if len(cats) == 0 {
		return nil, nil
	}
	return cats, nil
}
