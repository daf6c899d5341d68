package migrate

import (
	"encoding/json"
	"errors"
	"runtime"
	"testing"

	"github.com/cookiesession/cookiesession"
)

// gorillaFuzzMaxPayload is the longest gob payload a gorilla cookie can
// carry: gorillaMaxLength bytes of base64 hold 3,072, of which the
// timestamp, separators and MAC take some and base64 again a quarter.
const gorillaFuzzMaxPayload = gorillaMaxLength * 3 / 4

// FuzzGorillaGob feeds arbitrary gob payloads, as they come out of a
// gorilla cookie whose MAC matched, to the decode path. No payload may
// panic or make reading it allocate more than gorillaBombLimit, and what
// it accepts must be a JSON object. The seed corpus, in
// testdata/fuzz/FuzzGorillaGob, holds CookieStore payloads and the
// hostile ones of TestGorillaGobBomb.
func FuzzGorillaGob(f *testing.F) {
	registerGobBasics()
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > gorillaFuzzMaxPayload {
			return
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		out, err := gobToJSON(raw, "fuzz cookie")
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > gorillaBombLimit {
			t.Fatalf("%d-byte payload allocated %d bytes, limit %d", len(raw), n, gorillaBombLimit)
		}
		if err != nil {
			if !errors.Is(err, cookiesession.ErrLegacyPayload) {
				t.Fatalf("error does not match cookiesession.ErrLegacyPayload: %v", err)
			}
			return
		}
		var obj map[string]any
		if err := json.Unmarshal(out, &obj); err != nil || obj == nil {
			t.Fatalf("accepted payload gives %q, not a JSON object: %v", out, err)
		}
		// What was read can be written back for a CookieStore.
		if _, err := jsonToGorilla(out); err != nil && !errors.Is(err, cookiesession.ErrEncode) {
			t.Fatalf("write back: %v", err)
		}
	})
}
