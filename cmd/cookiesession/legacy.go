package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"strings"

	"github.com/cookiesession/cookiesession"
)

// legacyFlags configure the legacy readers of open and inspect, so that an
// operator can check a migration from Express cookie-session or
// gorilla/sessions from the shell.
type legacyFlags struct {
	expressKeys   string
	expressName   string
	expressSHA256 bool
	gorillaKeys   string
	gorillaName   string
	gorillaJSON   bool
	gorillaMaxAge int
}

func (l *legacyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.expressKeys, "express-keys", "", "")
	fs.StringVar(&l.expressName, "express-name", cookiesession.DefaultExpressName, "")
	fs.BoolVar(&l.expressSHA256, "express-sha256", false, "")
	fs.StringVar(&l.gorillaKeys, "gorilla-keys", "", "")
	fs.StringVar(&l.gorillaName, "gorilla-name", "session", "")
	fs.BoolVar(&l.gorillaJSON, "gorilla-json", false, "")
	fs.IntVar(&l.gorillaMaxAge, "gorilla-max-age", 0, "")
}

// any reports whether a legacy reader is configured.
func (l *legacyFlags) any() bool { return l.expressKeys != "" || l.gorillaKeys != "" }

// apply adds the legacy readers to o. The store's own cookie name must
// differ from theirs; when it does not and no sealed-format keys were
// given, the store gets a name no browser sends.
func (l *legacyFlags) apply(o *cookiesession.Options, haveKeys bool) error {
	if l.expressKeys != "" {
		o.Express = &cookiesession.ExpressSession{
			Name:   l.expressName,
			Keys:   strings.Split(l.expressKeys, ","),
			SHA256: l.expressSHA256,
		}
	}
	if l.gorillaKeys != "" {
		pairs, err := gorillaPairs(l.gorillaKeys)
		if err != nil {
			return err
		}
		o.Gorilla = &cookiesession.GorillaSession{Name: l.gorillaName, KeyPairs: pairs, JSON: l.gorillaJSON, MaxAge: l.gorillaMaxAge}
	}
	clash := (o.Express != nil && o.Name == l.expressName) || (o.Gorilla != nil && o.Name == l.gorillaName)
	if clash && !haveKeys {
		o.Name = "cookiesession-cli-unused"
	}
	return nil
}

// gorillaPairs parses HASH:BLOCK[,HASH:BLOCK...]: each key a raw string
// (without ':' or ','), or "base64:..." / "hex:..." for binary keys; BLOCK
// may be absent (signed, not encrypted).
func gorillaPairs(list string) ([][]byte, error) {
	var out [][]byte
	for i, pair := range strings.Split(list, ",") {
		parts := strings.Split(pair, ":")
		var keys []string
		for j := 0; j < len(parts); j++ {
			if (parts[j] == "base64" || parts[j] == "hex") && j+1 < len(parts) {
				keys = append(keys, parts[j]+":"+parts[j+1])
				j++
				continue
			}
			keys = append(keys, parts[j])
		}
		if len(keys) == 1 {
			keys = append(keys, "")
		}
		if len(keys) != 2 {
			return nil, usagef("-gorilla-keys pair %d: give HASH:BLOCK (base64:... or hex:... for binary keys)", i+1)
		}
		hash, err := legacyKey(keys[0])
		if err != nil || len(hash) == 0 {
			return nil, usagef("-gorilla-keys pair %d: the hash key is empty or not decodable", i+1)
		}
		block, err := legacyKey(keys[1])
		if err != nil {
			return nil, usagef("-gorilla-keys pair %d: the block key is not decodable", i+1)
		}
		out = append(out, hash, block)
	}
	return out, nil
}

// legacyKey decodes a key given as a raw string, "base64:..." or "hex:...".
func legacyKey(s string) ([]byte, error) {
	switch {
	case s == "":
		return nil, nil
	case strings.HasPrefix(s, "base64:"):
		return decodeKeyStd(strings.TrimPrefix(s, "base64:"))
	case strings.HasPrefix(s, "hex:"):
		return hex.DecodeString(strings.TrimPrefix(s, "hex:"))
	}
	return []byte(s), nil
}

// decodeKeyStd decodes a legacy key given as "base64:...": the standard
// alphabet with padding, as apps usually hold gorilla keys, or base64url or
// unpadded. A line break inside is refused: the decoders would skip it.
func decodeKeyStd(s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line break in a key")
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil {
		return k, nil
	}
	s = strings.TrimRight(s, "=")
	if k, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return k, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}
