// Package resp is a minimal Redis client for the cookiesession command:
// one connection, one command at a time, over RESP2 (commands go out as
// arrays of bulk strings; simple strings, errors, integers, bulk strings and
// arrays come back). It bounds every reply, in size and in time, and
// its errors say what failed without quoting what was sent.
package resp

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what a reply may hold.
const (
	MaxLine   = 64 << 10 // a simple string, error or length line
	MaxBulk   = 16 << 20 // a bulk string
	MaxArray  = 1 << 20  // elements of one array
	MaxDepth  = 8        // arrays nested in arrays
	maxErrMsg = 200      // bytes of a server error kept in messages
)

// DefaultTimeout bounds a dial or one command when Options.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Default budget of one whole reply, nested arrays included, when
// Options.MaxReplyBytes or MaxReplyElements is zero: the command's replies
// are tiny.
const (
	DefaultMaxReplyBytes    = 1 << 20
	DefaultMaxReplyElements = 4096
)

var (
	// ErrProtocol matches a reply that is not RESP2 or exceeds the limits.
	ErrProtocol = errors.New("redis protocol error")
	// ErrNil is returned by Integer and Text for a null reply.
	ErrNil = errors.New("redis: null reply")
)

// ReplyTooLargeError reports a reply beyond the client's budget
// (Options.MaxReplyBytes, MaxReplyElements), counted across nested arrays.
// It matches ErrProtocol; the connection is closed to further use.
type ReplyTooLargeError struct {
	What  string // "bytes" or "elements"
	Limit int
}

func (e *ReplyTooLargeError) Error() string {
	return fmt.Sprintf("%v: a reply exceeds the budget of %d %s", ErrProtocol, e.Limit, e.What)
}

func (e *ReplyTooLargeError) Unwrap() error { return ErrProtocol }

// ServerError is an error reply of the server: "-ERR ...".
type ServerError struct {
	Msg string // as the server sent it, cut to a couple hundred bytes
}

func (e *ServerError) Error() string { return "redis: " + e.Msg }

// Prefix returns the error's code: its first word (ERR, NOSCRIPT,
// WRONGPASS, NOAUTH...).
func (e *ServerError) Prefix() string {
	code, _, _ := strings.Cut(e.Msg, " ")
	return code
}

// Kind is the type of a reply.
type Kind byte

const (
	Simple  Kind = '+'
	Error   Kind = '-'
	Integer Kind = ':'
	Bulk    Kind = '$'
	Array   Kind = '*'
)

// Value is one reply.
type Value struct {
	Kind  Kind
	Str   string  // Simple, Error and Bulk
	Num   int64   // Integer
	Array []Value // Array
	Null  bool    // a null bulk string or array
}

// Integer returns an integer reply.
func (v Value) Integer() (int64, error) {
	switch {
	case v.Null:
		return 0, ErrNil
	case v.Kind == Integer:
		return v.Num, nil
	}
	return 0, fmt.Errorf("%w: want an integer reply, got %q", ErrProtocol, v.Kind)
}

// Text returns a simple or bulk string reply.
func (v Value) Text() (string, error) {
	switch {
	case v.Null:
		return "", ErrNil
	case v.Kind == Simple || v.Kind == Bulk:
		return v.Str, nil
	}
	return "", fmt.Errorf("%w: want a string reply, got %q", ErrProtocol, v.Kind)
}

// Options configure Dial.
type Options struct {
	// Timeout bounds the dial and each command; DefaultTimeout if zero.
	Timeout time.Duration
	// Username and Password, if Password is set, are sent with AUTH (an
	// ACL user when Username is set, else the default user).
	Username, Password string
	// MaxReplyBytes and MaxReplyElements bound one whole reply: the bytes
	// read for it, and its values, nested ones included;
	// DefaultMaxReplyBytes and DefaultMaxReplyElements if zero.
	MaxReplyBytes, MaxReplyElements int
}

// Client is one connection to a Redis server. It is not safe for
// concurrent use.
type Client struct {
	conn    net.Conn
	r       *bufio.Reader
	w       *bufio.Writer
	timeout time.Duration
	broken  error // set once the stream can no longer be trusted

	maxBytes, maxElems int // the budget of one reply
	bytes, elems       int // what the reply being read has used
}

// Dial connects to addr (host:port), authenticates if a password is given,
// and checks the connection with PING.
func Dial(ctx context.Context, addr string, o Options) (*Client, error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &Client{conn: conn, r: bufio.NewReaderSize(conn, 4096), w: bufio.NewWriter(conn), timeout: timeout,
		maxBytes: cmp.Or(o.MaxReplyBytes, DefaultMaxReplyBytes), maxElems: cmp.Or(o.MaxReplyElements, DefaultMaxReplyElements)}
	if o.Password != "" {
		if err := c.Auth(ctx, o.Username, o.Password); err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := c.Ping(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Do sends one command and reads its reply. An error reply is returned as
// a *ServerError (the connection stays usable); a broken connection or a
// protocol error makes every later call fail.
func (c *Client) Do(ctx context.Context, args ...string) (Value, error) {
	return c.exchange(ctx, args)
}

// exchange sends args, unless nil, and reads one reply.
func (c *Client) exchange(ctx context.Context, args []string) (Value, error) {
	if c.broken != nil {
		return Value{}, c.broken
	}
	deadline := time.Now().Add(c.timeout)
	ctxBound := false // the context's deadline is the one set
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline, ctxBound = d, true
	}
	if err := c.conn.SetDeadline(deadline); err != nil {
		return Value{}, c.fail(err)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if args != nil {
		if err := c.write(args); err != nil {
			return Value{}, c.fail(err)
		}
	}
	c.bytes, c.elems = 0, 0
	v, err := c.read(0)
	if err != nil {
		var ne net.Error
		switch {
		case ctx.Err() != nil:
			err = ctx.Err()
		case ctxBound && errors.As(err, &ne) && ne.Timeout():
			err = context.DeadlineExceeded // the timer may not have fired yet
		}
		return Value{}, c.fail(err)
	}
	if v.Kind == Error {
		return v, &ServerError{Msg: v.Str}
	}
	return v, nil
}

// Receive reads the next reply without sending a command: a message after
// SUBSCRIBE, for instance. It waits at most the timeout (or ctx's
// deadline, if sooner).
func (c *Client) Receive(ctx context.Context) (Value, error) {
	return c.exchange(ctx, nil)
}

func (c *Client) fail(err error) error {
	c.broken = err
	return err
}

// write sends args as an array of bulk strings.
func (c *Client) write(args []string) error {
	c.w.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		c.w.WriteString("$" + strconv.Itoa(len(a)) + "\r\n")
		c.w.WriteString(a)
		c.w.WriteString("\r\n")
	}
	return c.w.Flush()
}

// line reads one CRLF-terminated line of at most MaxLine bytes.
func (c *Client) line() (string, error) {
	var b []byte
	for {
		chunk, err := c.r.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > MaxLine+2 {
			return "", fmt.Errorf("%w: a reply line exceeds %d bytes", ErrProtocol, MaxLine)
		}
		if err := c.spend(len(chunk), 0); err != nil {
			return "", err
		}
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", err
		}
	}
	if len(b) < 2 || b[len(b)-2] != '\r' {
		return "", fmt.Errorf("%w: a reply line does not end in CRLF", ErrProtocol)
	}
	return string(b[:len(b)-2]), nil
}

// spend counts bytes and elements against the reply's budget.
func (c *Client) spend(bytes, elems int) error {
	c.bytes += bytes
	c.elems += elems
	switch {
	case c.bytes > c.maxBytes:
		return &ReplyTooLargeError{What: "bytes", Limit: c.maxBytes}
	case c.elems > c.maxElems:
		return &ReplyTooLargeError{What: "elements", Limit: c.maxElems}
	}
	return nil
}

// read reads one reply, arrays nested at most MaxDepth deep.
func (c *Client) read(depth int) (Value, error) {
	if err := c.spend(0, 1); err != nil {
		return Value{}, err
	}
	l, err := c.line()
	if err != nil {
		return Value{}, err
	}
	if l == "" {
		return Value{}, fmt.Errorf("%w: empty reply line", ErrProtocol)
	}
	v := Value{Kind: Kind(l[0])}
	body := l[1:]
	switch v.Kind {
	case Simple:
		v.Str = body
	case Error:
		v.Str = clean(body)
	case Integer:
		if v.Num, err = strconv.ParseInt(body, 10, 64); err != nil {
			return Value{}, fmt.Errorf("%w: bad integer reply", ErrProtocol)
		}
	case Bulk:
		return c.bulk(body)
	case Array:
		return c.array(body, depth)
	default:
		return Value{}, fmt.Errorf("%w: unknown reply type %q (not RESP2)", ErrProtocol, l[0])
	}
	return v, nil
}

// length parses a bulk or array length: -1 (null) up to max.
func length(s string, max int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < -1 {
		return 0, fmt.Errorf("%w: bad length", ErrProtocol)
	}
	if n > max {
		return 0, fmt.Errorf("%w: reply of %d exceeds the limit of %d", ErrProtocol, n, max)
	}
	return n, nil
}

func (c *Client) bulk(body string) (Value, error) {
	n, err := length(body, MaxBulk)
	if err != nil || n < 0 {
		return Value{Kind: Bulk, Null: n < 0}, err
	}
	if err := c.spend(n+2, 0); err != nil { // before allocating it
		return Value{}, err
	}
	b := make([]byte, n+2)
	if _, err := io.ReadFull(c.r, b); err != nil {
		return Value{}, err
	}
	if b[n] != '\r' || b[n+1] != '\n' {
		return Value{}, fmt.Errorf("%w: bulk string not followed by CRLF", ErrProtocol)
	}
	return Value{Kind: Bulk, Str: string(b[:n])}, nil
}

func (c *Client) array(body string, depth int) (Value, error) {
	if depth >= MaxDepth {
		return Value{}, fmt.Errorf("%w: arrays nested deeper than %d", ErrProtocol, MaxDepth)
	}
	n, err := length(body, MaxArray)
	if err != nil || n < 0 {
		return Value{Kind: Array, Null: n < 0}, err
	}
	if c.elems+n > c.maxElems { // before allocating for it
		return Value{}, &ReplyTooLargeError{What: "elements", Limit: c.maxElems}
	}
	v := Value{Kind: Array, Array: make([]Value, 0, min(n, 1024))}
	for range n {
		e, err := c.read(depth + 1)
		if err != nil {
			return Value{}, err
		}
		v.Array = append(v.Array, e)
	}
	return v, nil
}

// clean keeps a server error's message short and printable: a control
// character (C0, DEL, or C1 such as U+009B, the 8-bit CSI), a
// bidirectional control, or an invalid UTF-8 byte becomes a space.
func clean(s string) string {
	if len(s) > maxErrMsg {
		s = s[:maxErrMsg] + "..."
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
}

// Ping sends PING and expects PONG.
func (c *Client) Ping(ctx context.Context) error {
	v, err := c.Do(ctx, "PING")
	if err != nil {
		return err
	}
	if s, _ := v.Text(); s != "PONG" {
		return fmt.Errorf("%w: PING answered %.20q", ErrProtocol, s)
	}
	return nil
}

// Auth authenticates as username (the default user when "") with password.
// Its errors never contain the password.
func (c *Client) Auth(ctx context.Context, username, password string) error {
	args := []string{"AUTH", password}
	if username != "" {
		args = []string{"AUTH", username, password}
	}
	if _, err := c.Do(ctx, args...); err != nil {
		var se *ServerError
		if errors.As(err, &se) {
			return fmt.Errorf("authentication failed: %w", &ServerError{Msg: strings.ReplaceAll(se.Msg, password, "***")})
		}
		return err
	}
	return nil
}

// RunScript runs a Lua script with EVALSHA sha, and with EVAL script when
// the server does not have it cached (NOSCRIPT), and returns its integer
// reply.
func (c *Client) RunScript(ctx context.Context, script, sha string, keys, args []string) (int64, error) {
	v, err := c.eval(ctx, "EVALSHA", sha, keys, args)
	var se *ServerError
	if errors.As(err, &se) && se.Prefix() == "NOSCRIPT" {
		v, err = c.eval(ctx, "EVAL", script, keys, args)
	}
	if err != nil {
		return 0, err
	}
	return v.Integer()
}

func (c *Client) eval(ctx context.Context, cmd, script string, keys, args []string) (Value, error) {
	argv := make([]string, 0, 3+len(keys)+len(args))
	argv = append(argv, cmd, script, strconv.Itoa(len(keys)))
	argv = append(argv, keys...)
	argv = append(argv, args...)
	return c.Do(ctx, argv...)
}
