package migrate

// Shorter forms of the gorilla format's functions for tests that need no
// write-back state.

import "time"

// decode verifies the cookie value and returns the session as a JSON
// object. now is the current time, for MaxAge.
func (f *gorillaFormat) decode(value string, now time.Time) ([]byte, error) {
	data, _, _, err := f.verifyDecode(value, now)
	return data, err
}

// encode returns a cookie value that a CookieStore with the same keys
// reads back as the values in the JSON object data.
func (f *gorillaFormat) encode(data []byte) (string, error) { return f.encodeOrig(data, nil) }

// gobToJSON decodes a CookieStore's gob-encoded map[interface{}]interface{}
// and converts it to a JSON object.
func gobToJSON(raw []byte, what string) ([]byte, error) {
	out, _, err := gobToJSONOrig(raw, what)
	return out, err
}

// jsonToGorilla converts a JSON object to the map a CookieStore holds. Its
// numbers are decoded as json.Number, so that none passes through float64
// on the way (see gorillaNumber).
func jsonToGorilla(data []byte) (map[interface{}]interface{}, error) {
	return jsonToGorillaOrig(data, nil)
}
