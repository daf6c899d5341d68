package cookiesession

// The flash envelope (docs/FORMAT.md): a session with flash messages seals
// [data, [message, ...]] and sets the header's flashes flag; one without
// seals the data JSON alone.

import (
	"encoding/json"
	"fmt"

	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// sealEnvelope returns the plaintext to seal: the metadata m, if any
// (meta.go), then dataJSON, or [dataJSON, flashes] with flashes. A plain
// session's plaintext is dataJSON itself, with no copy.
func sealEnvelope(m *meta, dataJSON []byte, flashes []string) ([]byte, error) {
	if len(flashes) == 0 && m.empty() {
		return dataJSON, nil
	}
	var fl []byte
	if len(flashes) > 0 {
		var err error
		if fl, err = jsonx.Marshal(flashes); err != nil {
			return nil, fmt.Errorf("%w: flash messages: %s", ErrEncode, jsonx.Problem(err))
		}
	}
	pt := make([]byte, 0, m.size()+len(dataJSON)+len(fl)+3)
	if !m.empty() {
		var err error
		if pt, err = appendMeta(pt, m); err != nil {
			return nil, err
		}
	}
	if fl == nil {
		return append(pt, dataJSON...), nil
	}
	return append(append(append(append(append(pt, '['), dataJSON...), ','), fl...), ']'), nil
}

// openEnvelope splits an opened envelope into the data JSON and the flash
// messages.
func openEnvelope(pt []byte) ([]byte, []string, error) {
	var arr [2]json.RawMessage
	if err := json.Unmarshal(pt, &arr); err != nil || arr[0] == nil {
		return nil, nil, fmt.Errorf("%w: flash envelope is not [data, [messages]]", ErrDecode)
	}
	var flashes []string
	if err := json.Unmarshal(arr[1], &flashes); err != nil {
		return nil, nil, fmt.Errorf("%w: flash messages: %s", ErrDecode, jsonx.Problem(err))
	}
	return arr[0], flashes, nil
}
