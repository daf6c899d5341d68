// Command cookiesession generates keys for, seals, opens and inspects
// cookiesession cookies, revokes sessions shared through Redis, and runs a
// demo web app.
//
// Run "cookiesession help" for the usage text (the constant usage below).
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/redis/go-redis/v9/logging"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/format"
)

// keysEnv is the environment variable read when -keys is absent.
const keysEnv = "COOKIESESSION_KEYS"

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the input could not be sealed, opened or inspected; Redis failed
	exitUsage   = 2 // bad command line, keys or options
)

const usage = `Usage: cookiesession <command> [flags] [arguments]

Generates keys for, seals, opens and inspects cookiesession cookies, revokes
sessions shared through Redis (redisrevoke), and runs a demo web app.

Commands:
  keygen   print a new key: 32 random bytes, base64url without padding
  seal     seal the JSON object read on stdin into a cookie value
  open     verify and decrypt a cookie value; print the session's JSON
  inspect  describe a cookie value: format, key id, times, chunks, sizes
  revoke   revoke a session, a subject's sessions or all sessions in the
           Redis that redisrevoke lists share; every instance refuses them
  demo     run a small web app that shows a session as it changes
  help     print this text; "help COMMAND" (or COMMAND -h) prints the
           command's flags

Keys: -keys K1[,K2...], or the COOKIESESSION_KEYS environment variable when
-keys is absent, separated by commas or whitespace (one key per line works).
Each key is 43 base64url characters (32 bytes, no padding), as keygen
prints it, or 64 or 128 hex digits (openssl rand -hex 32). The first key
seals; every key opens.

Exit status: 0 success; 1 the value could not be sealed, opened or inspected,
or Redis failed (one line on stderr says why); 2 usage error (bad flags,
missing or invalid keys, invalid options). Error messages never contain keys,
passwords or session data.
`

const keygenUsage = `Usage: cookiesession keygen

Prints one new key: 32 random bytes, base64url without padding, on one line.
`

const sealUsage = `Usage: cookiesession seal [flags] < session.json

Reads one JSON object on stdin and prints it sealed:
  one cookie:   the cookie value, on one line
  chunked:      one NAME=VALUE line per cookie, in order (NAME, NAME~2, ...)
  -set-cookie:  one "Set-Cookie: ..." line per cookie, chunks included
"cookiesession open -" reads any of these forms back.
The session is created now; a value too large for the limits fails with exit
status 1 and a message that says "too large" and gives the sizes.

Flags:
  -keys K1[,K2...]      keys (default $COOKIESESSION_KEYS); the first seals
  -name NAME            cookie name (default "session")
  -cipher C             xchacha20-poly1305 (default) or aes-256-gcm
  -max-age DURATION     session lifetime, sets Max-Age (default 24h0m0s)
  -browser-session      a browser-session cookie: no Max-Age
  -max-chunks N         split across up to N cookies (default 1: no chunking)
  -max-cookie-bytes N   budget per cookie, name+value (default 4092)
  -max-total-bytes N    budget of all chunks in the Cookie header
                        (default 6144 when chunking)
  -set-cookie           print Set-Cookie header lines
  -path P               Path attribute with -set-cookie (default "/")
  -domain D             Domain attribute with -set-cookie (default none)
  -secure               Secure attribute with -set-cookie (default true;
                        -secure=false omits it)
`

const openUsage = `Usage: cookiesession open [flags] (VALUE | - | -cookie HEADER)

Verifies and decrypts a session as a store configured with these flags
would, and prints its data as JSON on one line, as the cookie holds it. Fails
with exit status 1 and a one-line reason when the value is malformed,
tampered with, expired, sealed for another cookie name, sealed with a key not
given, or over the size limits. The cipher is read from the value.

Input, one of:
  VALUE           a cookie value; NAME=VALUE pairs ("; "-separated) work too
  -               read the input from stdin: a value, NAME=VALUE lines,
                  Set-Cookie lines or a Cookie header (all that seal prints)
  -cookie HEADER  a whole Cookie request header as a browser sends it
                  ("Cookie:" prefix optional), for chunked sessions;
                  -cookie - reads it from stdin

Without -name, the cookie name is taken from the input when it holds exactly
one session cookie (a cookie whose value has a sealed-value header; NAME~2,
NAME~3 ... are its chunks); with several, give -name. A bare VALUE is taken
as the cookie "session" (or -name).

An empty input (VALUE "", empty stdin, -cookie "") fails with exit status 1,
like any input that holds no session.

Flags:
  -keys K1[,K2...]      keys (default $COOKIESESSION_KEYS)
  -name NAME            cookie name (default: from the input, see above, else
                        "session")
  -max-age DURATION     lifetime the server enforces (default 24h0m0s; Go
                        durations: ns, us, ms, s, m, h; 720h is 30 days)
  -idle DURATION        idle timeout the server enforces (default 0: none)
  -max-chunks N         most chunks accepted (default: as many as the input
                        carries)
  -max-cookie-bytes N   budget per cookie, name+value (default 4092)
  -max-total-bytes N    budget of all chunks (default 6144 when chunked)

Legacy sessions (with -cookie HEADER; -keys becomes optional):
  -express-keys KEY         an Express cookie-session key, the raw string as
                            configured in Express (keys, or [secret]);
                            repeat the flag for each key, in Express's
                            order: each occurrence is one key, verbatim,
                            commas and spaces included. Given once with
                            commas, it is split at them (the old form; a
                            warning says so)
  -express-keys-file FILE   the Express keys, one per line, verbatim (only
                            the line break, LF or CRLF, is dropped; blank
                            lines are skipped); instead of -express-keys
  -express-name NAME        its cookie name (default "session"; 1.x used
                            "express:sess")
  -express-sha256           the app used Keygrip(keys, 'sha256')
  -gorilla-keys HASH:BLOCK  a gorilla/sessions CookieStore key pair; repeat
                            the flag for each pair, in order; each key a
                            raw string without ':', or base64:... or
                            hex:... (for any key holding ':' or ','); BLOCK
                            may be empty (signed, not encrypted). Given once
                            with commas, it is split into pairs at them
                            (the old form; a warning says so)
  -gorilla-name NAME        its cookie name (default "session")
  -gorilla-json             values were encoded with securecookie's
                            JSONEncoder instead of gob
  -gorilla-max-age SECONDS  the CookieStore's MaxAge (default 30 days)
`

const inspectUsage = `Usage: cookiesession inspect [flags] (VALUE | - | -cookie HEADER)

Describes a session cookie: format version and cipher, key id, creation and
seal times, expiry and idle deadline (under -max-age and -idle), flags, chunk
layout (names and sizes) and sizes against the per-cookie and total budgets.
Without keys it shows only what the unauthenticated header says; with keys
it also verifies the value and prints the session's ID and subject (what
"cookiesession revoke" takes; "none" when the value carries none) and its
JSON. Exit status 1 when the value cannot be parsed or, with keys, does not
verify.

Input and flags as for open; -keys is optional. With -express-keys or
-gorilla-keys and a Cookie header holding such a legacy session (and no
sealed cookie), it describes the legacy cookies, verifies them and prints
their JSON.
`

const demoUsage = `Usage: cookiesession demo [flags]

Serves a small web app built on cookiesession: one page shows the session's
JSON, each session cookie's size against the limits and the chunk count, with
buttons to increment a counter, add 1 KB of data (it chunks, then hits the
limit), log in, log out and destroy the session. Without keys it uses an
ephemeral key (sessions end when the demo stops). Stop it with Ctrl-C.

Flags:
  -addr HOST:PORT        listen address (default 127.0.0.1:8080)
  -keys K1[,K2...]       keys (default $COOKIESESSION_KEYS, else ephemeral)
  -name NAME             cookie name (default "session")
  -max-chunks N          most cookies per session (default 3)
  -max-cookie-bytes N    budget per cookie, name+value (default 2048, so
                         that chunking shows after a few clicks)
`

// commandUsage maps each command to its usage text.
var commandUsage = map[string]string{
	"keygen":  keygenUsage,
	"seal":    sealUsage,
	"open":    openUsage,
	"inspect": inspectUsage,
	"demo":    demoUsage,
	"revoke":  revokeUsage,
}

func main() {
	logging.Disable() // go-redis's log lines would break revoke's one line on stderr
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// cli is one run of the command, with what it reads and writes.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	// ctx stops the demo server; nil means until SIGINT or SIGTERM.
	ctx context.Context
	// ready, if set, receives the demo's URL once it listens.
	ready func(url string)
}

// run runs the command line args (without the program name) and returns
// the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, now: time.Now}
	return c.run(args)
}

func (c *cli) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "help", "-h", "-help", "--help":
		if len(rest) == 1 && commandUsage[rest[0]] != "" {
			fmt.Fprint(c.stdout, commandUsage[rest[0]])
			return exitOK
		}
		if len(rest) > 0 {
			fmt.Fprintf(c.stderr, "cookiesession help: unknown command %q\n", rest[0])
			return exitUsage
		}
		fmt.Fprint(c.stdout, usage)
		return exitOK
	case "keygen":
		err = c.keygen(rest)
	case "seal":
		err = c.seal(rest)
	case "open":
		err = c.open(rest)
	case "inspect":
		err = c.inspect(rest)
	case "demo":
		err = c.demo(rest)
	case "revoke":
		err = c.revoke(rest)
	default:
		fmt.Fprintf(c.stderr, "cookiesession: unknown command %q; run \"cookiesession help\"\n", cmd)
		return exitUsage
	}
	return c.report(cmd, err)
}

// report prints err, if any, on one line and returns the exit status.
func (c *cli) report(cmd string, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(c.stdout, commandUsage[cmd])
		return exitOK
	}
	fmt.Fprintf(c.stderr, "cookiesession %s: %s\n", cmd, oneLine(err))
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintf(c.stderr, "run \"cookiesession help %s\" for usage\n", cmd)
		return exitUsage
	}
	return exitFailure
}

// oneLine returns err's message without the library's "cookiesession: "
// prefixes (the command's own prefix says as much), on one line, and safe
// for a terminal (terminalSafe): it may quote a Redis reply or a cookie.
func oneLine(err error) string {
	msg := strings.ReplaceAll(err.Error(), "cookiesession: ", "")
	return terminalSafe(strings.Join(strings.Fields(msg), " "))
}

// usageError is a mistake on the command line or in the keys: exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// newFlags returns a flag set that reports errors instead of printing them.
func newFlags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args, turning flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{explainFlagError(fs, err)}
	}
	return flagAfterArgument(fs)
}

// flagAfterArgument refuses a flag of fs given after the first argument
// ("open VALUE -keys K"): the flag package stops at the first argument, so
// the flag would be taken as a second argument and its value ignored.
func flagAfterArgument(fs *flag.FlagSet) error {
	if fs.NArg() < 2 {
		return nil
	}
	for _, arg := range fs.Args()[1:] {
		name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if len(arg) > 1 && arg[0] == '-' && fs.Lookup(name) != nil {
			return usagef("flag -%s comes after an argument, where it is not read: put every flag before the value, as in \"cookiesession %s -%s ... VALUE\"",
				name, fs.Name(), name)
		}
	}
	return nil
}

// durationHint is what a duration flag takes: Go's time.ParseDuration has
// no days.
const durationHint = "Go durations take the units ns, us, ms, s, m and h, as in 90s or 1h30m; there is no d: 720h is 30 days"

// badFlagValue matches the flag package's message for a value it cannot
// parse.
var badFlagValue = regexp.MustCompile(`^invalid value (".*") for flag -([^:]+): `)

// explainFlagError replaces the flag package's bare "parse error" for a
// duration or number flag with what the flag takes.
func explainFlagError(fs *flag.FlagSet, err error) error {
	m := badFlagValue.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	f := fs.Lookup(m[2])
	if f == nil {
		return err
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err
	}
	switch g.Get().(type) {
	case time.Duration:
		return fmt.Errorf("invalid value %s for -%s: not a duration; %s", m[1], m[2], durationHint)
	case int, int64, uint, uint64:
		return fmt.Errorf("invalid value %s for -%s: not a whole number", m[1], m[2])
	}
	return err
}

func (c *cli) keygen(args []string) error {
	fs := newFlags("keygen")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	key := make([]byte, format.MinKeySize)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("reading random bytes: %w", err)
	}
	_, err := fmt.Fprintln(c.stdout, base64.RawURLEncoding.EncodeToString(key))
	return err
}

// keys decodes the -keys flag, or COOKIESESSION_KEYS when the flag is
// empty, with cookiesession.ParseKeys, as a server would read them. With
// required false, no keys at all is not an error. Messages name the source
// and a key by its position, never by its content.
func (c *cli) keys(flagValue string, required bool) ([][]byte, error) {
	src, list := "-keys", flagValue
	if strings.TrimSpace(list) == "" {
		src, list = keysEnv, c.getenv(keysEnv)
	}
	if strings.TrimSpace(list) == "" {
		if required {
			return nil, usagef("no keys: give -keys or set %s (cookiesession keygen prints a key)", keysEnv)
		}
		return nil, nil
	}
	keys, err := cookiesession.ParseKeys(list)
	if err != nil {
		return nil, usagef("%s: %w", src, err)
	}
	return keys, nil
}
