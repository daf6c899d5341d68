package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/redisrevoke"
)

const revokeUsage = `Usage: cookiesession revoke -redis HOST:PORT [flags] WHAT

Revokes sessions in the Redis that the servers' redisrevoke.List instances
share: it writes the entry through redisrevoke.Writer, exactly as
List.RevokeSession, RevokeSubject or RevokeAll would, and publishes it, so
every running instance refuses the sessions at once (ErrRevoked). For an
operator during an incident.

WHAT, exactly one of:
  -session ID -until TIME   one session (its ID, as inspect prints it with
  -session ID -for DURATION keys), until TIME or for DURATION from now: give
                            when it would expire anyway (its expiry in
                            inspect)
  -subject S [-before TIME] every session of subject S (Session.SetSubject)
                            created before TIME (default now)
  -all [-before TIME]       every session created before TIME (default
                            now), and every legacy (Express, gorilla)
                            session while the cut-off lasts

-until (or now plus -for) may lie at most -max-age ahead: no session lives
longer. -before may lie at most a minute ahead (clock skew): a cut-off in
the future would refuse every session created until then, new logins too.
Redis (the merge script) and every instance refuse such entries as well.

TIME is RFC 3339 (2025-06-01T12:00:00Z, 2025-06-01T14:00:00+02:00) or
"now"; DURATION as for -max-age.

Flags:
  -redis HOST:PORT          the Redis (or Valkey) server; required
  -redis-user NAME          the ACL user to authenticate as (AUTH NAME
                            PASSWORD); needs -redis-password-env
  -redis-password-env NAME  read the password (AUTH) from the environment
                            variable NAME (never give it on the command line)
  -prefix P                 key and channel prefix, as redisrevoke's
                            Options.Prefix (default "cookiesession:revoke:")
  -max-age DURATION         how long a subject or global cut-off is kept:
                            the stores' longest session lifetime, the same
                            as redisrevoke's Options.MaxAge (default
                            9600h0m0s, its default)
  -timeout DURATION         bound on the whole exchange with Redis:
                            connecting, authenticating and writing
                            (default 5s)

Prints one line saying what was revoked. Exit status: 0 recorded and
published; 1 Redis failed (unreachable, authentication, an error reply: one
line on stderr says which, never the password); 2 usage error.
`

// revocation is what the revoke command line asks for.
type revocation struct {
	addr, user, password string
	timeout, maxAge      time.Duration
	prefix               string
	kind                 kind
	member               string    // the session ID or the subject
	at                   time.Time // until, or the cut-off
}

// kind is what a revocation covers.
type kind int

const (
	kindSession kind = iota // one session, until a time
	kindSubject             // a subject's sessions created before a time
	kindAll                 // every session created before a time
)

// defaultTimeout bounds the exchange with Redis when -timeout is absent.
const defaultTimeout = 5 * time.Second

// revokeFlags are the flags of revoke as given.
type revokeFlags struct {
	addr, user, passwordEnv, prefix string
	maxAge, timeout, forD           time.Duration
	session, subject                string
	all                             bool
	until, before                   string
}

func (f *revokeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "redis", "", "")
	fs.StringVar(&f.user, "redis-user", "", "")
	fs.StringVar(&f.passwordEnv, "redis-password-env", "", "")
	fs.StringVar(&f.prefix, "prefix", redisrevoke.DefaultPrefix, "")
	fs.DurationVar(&f.maxAge, "max-age", bounds.MaxAgeLimit, "")
	fs.DurationVar(&f.timeout, "timeout", defaultTimeout, "")
	fs.StringVar(&f.session, "session", "", "")
	fs.StringVar(&f.subject, "subject", "", "")
	fs.BoolVar(&f.all, "all", false, "")
	fs.StringVar(&f.until, "until", "", "")
	fs.DurationVar(&f.forD, "for", 0, "")
	fs.StringVar(&f.before, "before", "", "")
}

func (c *cli) revoke(args []string) error {
	fs := newFlags("revoke")
	var f revokeFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	r, err := c.parseRevocation(&f, set)
	if err != nil {
		return err
	}
	changed, err := c.sendRevocation(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.stdout, describeRevocation(r, changed))
	return err
}

// parseRevocation checks the flags and builds the write.
func (c *cli) parseRevocation(f *revokeFlags, set map[string]bool) (*revocation, error) {
	r := &revocation{addr: f.addr, user: f.user, timeout: f.timeout, maxAge: f.maxAge, prefix: f.prefix}
	if err := f.checkConnection(); err != nil {
		return nil, err
	}
	if f.passwordEnv != "" {
		if r.password = c.getenv(f.passwordEnv); r.password == "" {
			return nil, usagef("-redis-password-env: the environment variable %s is empty or unset", f.passwordEnv)
		}
	}
	if f.user != "" && r.password == "" {
		return nil, usagef("-redis-user takes the user's password with -redis-password-env NAME")
	}
	if f.prefix == "" { // redisrevoke would take "" for its default
		return nil, usagef("-prefix: give a non-empty prefix, or leave -prefix out for %q", redisrevoke.DefaultPrefix)
	}
	if f.maxAge < time.Second || f.maxAge > bounds.MaxAgeLimit {
		return nil, usagef("-max-age %v: give the stores' longest session lifetime, 1s to %v", f.maxAge, bounds.MaxAgeLimit)
	}
	if err := c.parseWhat(f, set, r); err != nil {
		return nil, err
	}
	return r, nil
}

// checkConnection checks -redis and -timeout.
func (f *revokeFlags) checkConnection() error {
	switch {
	case f.addr == "":
		return usagef("give -redis HOST:PORT, the Redis server the instances share")
	case strings.Contains(f.addr, "@"):
		return usagef("-redis %q: give HOST:PORT without credentials; the user goes in -redis-user, the password in -redis-password-env", redactAddr(f.addr))
	case strings.Contains(f.addr, "://"):
		return usagef("-redis %q: give HOST:PORT, not a URL", truncate(f.addr))
	case !strings.Contains(f.addr, ":"):
		return usagef("-redis %q: give HOST:PORT (Redis's port is usually 6379)", truncate(f.addr))
	case f.timeout <= 0:
		return usagef("-timeout must be positive")
	}
	return nil
}

// parseWhat reads which sessions to revoke, and until or before when.
func (c *cli) parseWhat(f *revokeFlags, set map[string]bool, r *revocation) error {
	n := 0
	for _, w := range []string{"session", "subject", "all"} {
		if set[w] {
			n++
		}
	}
	if n != 1 {
		return usagef("give exactly one of -session ID, -subject S, -all")
	}
	now := c.now()
	if set["session"] {
		return parseSessionRevocation(f, set, r, now)
	}
	if set["until"] || set["for"] {
		return usagef("-until and -for go with -session; a cut-off takes -before")
	}
	r.kind, r.at = kindAll, now
	if set["subject"] {
		r.kind, r.member = kindSubject, f.subject
		if f.subject == "" || len(f.subject) > bounds.MaxSubjectBytes || !utf8.ValidString(f.subject) {
			return usagef("-subject: give valid UTF-8 of 1 to %d bytes, as the application passed to SetSubject", bounds.MaxSubjectBytes)
		}
	}
	if f.before != "" {
		t, err := parseTime("-before", f.before, now)
		if err != nil {
			return err
		}
		r.at = t
	}
	if r.at.After(now.Add(clockSkew)) {
		return usagef("-before %s lies more than %v in the future: it would refuse every session created until then, new logins included; give now, or a time in the past", r.at.UTC().Format(time.RFC3339), clockSkew)
	}
	if !r.at.Add(f.maxAge).After(now) {
		return usagef("-before %s lies more than -max-age %v in the past: no session created before it is still valid", r.at.UTC().Format(time.RFC3339), f.maxAge)
	}
	return nil
}

// parseSessionRevocation reads -session with -until or -for.
func parseSessionRevocation(f *revokeFlags, set map[string]bool, r *revocation, now time.Time) error {
	if set["before"] {
		return usagef("-before goes with -subject or -all; a session takes -until or -for")
	}
	if !isSessionID(f.session) {
		return usagef("-session: a session ID is 22 base64url characters, as inspect prints it (not the cookie value)")
	}
	r.kind, r.member = kindSession, f.session
	switch {
	case set["until"] == set["for"]:
		return usagef("-session takes one of -until TIME or -for DURATION: when the session would expire anyway")
	case set["for"]:
		if f.forD <= 0 {
			return usagef("-for must be positive")
		}
		r.at = now.Add(f.forD)
	default:
		t, err := parseTime("-until", f.until, now)
		if err != nil {
			return err
		}
		if !t.After(now) {
			return usagef("-until %s is not in the future: the session has expired already", t.UTC().Format(time.RFC3339))
		}
		r.at = t
	}
	if r.at.After(now.Add(f.maxAge)) {
		return usagef("the session's entry would last until %s, beyond -max-age %v from now: no session lives longer; give when it would expire anyway", r.at.UTC().Format(time.RFC3339), f.maxAge)
	}
	return nil
}

// clockSkew is how far ahead of this machine's clock -before may lie, as
// redisrevoke's default.
const clockSkew = bounds.DefaultClockSkew

// redactAddr hides the user information of an address (user:password@),
// so that no error echoes a password put there.
func redactAddr(addr string) string {
	i := strings.LastIndex(addr, "@")
	if i < 0 {
		return truncate(addr)
	}
	// A scheme is letters, digits, "+", "-" or "." at the very start, then
	// "://"; anything else before the "@" may be part of a password.
	scheme := ""
	if j := strings.Index(addr[:i], "://"); j > 0 && strings.Trim(addr[:j], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") == "" {
		scheme = addr[:j+3]
	}
	return truncate(scheme + "***@" + addr[i+1:])
}

// isSessionID reports whether s looks like Session.ID: 128 bits in
// base64url without padding.
func isSessionID(s string) bool { return len(s) == 22 && isBase64URL(s) }

// parseTime reads an RFC 3339 time or "now".
func parseTime(flagName, s string, now time.Time) (time.Time, error) {
	if strings.EqualFold(s, "now") {
		return now, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, usagef("%s %q: give an RFC 3339 time such as 2025-06-01T12:00:00Z, or now", flagName, truncate(s))
	}
	return t, nil
}

// sendRevocation checks the connection with PING (which authenticates),
// then writes the revocation through redisrevoke.Writer, all within
// -timeout. Its errors are failures (exit status 1) naming the server and
// the step that failed, never the password; an invalid -prefix is a usage
// error.
func (c *cli) sendRevocation(r *revocation) (bool, error) {
	rdb := redis.NewClient(&redis.Options{
		Addr: r.addr, Username: r.user, Password: r.password,
		DialTimeout: r.timeout, ReadTimeout: r.timeout, WriteTimeout: r.timeout,
		ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1, PoolSize: 1, DisableIdentity: true,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{Timeout: r.timeout}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &boundedConn{Conn: c, left: maxReadBytes}, nil
		},
	})
	defer rdb.Close()
	w, err := redisrevoke.NewWriter(rdb, redisrevoke.Options{Prefix: r.prefix, MaxAge: r.maxAge, ClockSkew: clockSkew})
	if err != nil {
		return false, usagef("-prefix: %v", err)
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return false, redisError(r, "connecting", err)
	}
	var changed bool
	switch r.kind {
	case kindSession:
		changed, err = w.RevokeSession(ctx, r.member, r.at)
	case kindSubject:
		changed, err = w.RevokeSubject(ctx, r.member, r.at)
	default:
		changed, err = w.RevokeAll(ctx, r.at)
	}
	if err != nil {
		return false, redisError(r, "writing the revocation", err)
	}
	return changed, nil
}

// maxReadBytes bounds what revoke reads from Redis, every reply together:
// its replies take a few hundred bytes, a hostile server's could take all
// the memory the -timeout lets it send.
const maxReadBytes = 1 << 20

// errTooMuch reports a server that sent more than maxReadBytes.
var errTooMuch = fmt.Errorf("the server sent more than %d bytes, far more than revoke's replies take", maxReadBytes)

// boundedConn is a connection that fails once it read maxReadBytes.
type boundedConn struct {
	net.Conn
	left int
}

func (c *boundedConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooMuch
	}
	n, err := c.Conn.Read(p[:min(len(p), c.left)])
	c.left -= n
	return n, err
}

// maxErrBytes bounds the text of a Redis error printed: a hostile server
// chooses it.
const maxErrBytes = 300

// redisError words a failed step: a line naming the server and the step,
// without the password, cut to maxErrBytes.
func redisError(r *revocation, step string, err error) error {
	msg := strings.TrimPrefix(err.Error(), redisrevoke.ErrUnavailable.Error()+": ")
	if r.password != "" {
		msg = strings.ReplaceAll(msg, r.password, "***")
	}
	if len(msg) > maxErrBytes {
		msg = strings.ToValidUTF8(msg[:maxErrBytes], "") + "..."
	}
	var ne net.Error
	switch {
	case errors.Is(err, redisrevoke.ErrClockSkew):
		step, msg = "not recorded", strings.TrimPrefix(msg, redisrevoke.ErrClockSkew.Error()+": ")+"; check both clocks"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		step = fmt.Sprintf("%s: no answer within -timeout %v", step, r.timeout)
	case redis.HasErrorPrefix(err, "NOAUTH"):
		msg += " (give the password with -redis-password-env NAME)"
	case step == "connecting" && r.password != "" && isRedisError(err):
		step = "authentication failed"
	}
	return fmt.Errorf("redis %s: %s: %s", redactAddr(r.addr), step, msg)
}

// isRedisError reports whether err is an error reply of the server.
func isRedisError(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}

// describeRevocation is the line printed once the revocation is recorded.
func describeRevocation(r *revocation, changed bool) string {
	at := r.at.UTC().Format(time.RFC3339Nano)
	var what string
	switch r.kind {
	case kindSession:
		what = fmt.Sprintf("session %s until %s", r.member, at)
	case kindSubject:
		what = fmt.Sprintf("every session of subject %q created before %s", r.member, at)
	default:
		what = fmt.Sprintf("every session created before %s, and legacy sessions", at)
	}
	note := ""
	if !changed {
		note = " (it was in force already: Redis held an entry at least as late)"
	}
	return fmt.Sprintf("revoked %s%s; recorded and published under prefix %q", what, note, r.prefix)
}
