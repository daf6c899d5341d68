package redisrevoke

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/bounds"
)

// The zero value of every field is its documented default.
func TestOptionsZeroValues(t *testing.T) {
	c, err := Options{}.config()
	must(t, err)
	// A nil OnError logs at Error on slog's default logger: a background
	// error is never passed over in silence.
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	c.onError(fmt.Errorf("%w: the epoch key vanished", ErrLost))
	if out := logged.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "epoch key vanished") {
		t.Errorf("nil OnError logged %q, want an Error line with the error", out)
	}
	c.onError = nil // a func is not comparable
	want := config{prefix: DefaultPrefix, maxAge: bounds.MaxAgeLimit, skew: bounds.DefaultClockSkew,
		maxEntries: bounds.DefaultMaxRevocations, resync: DefaultResyncEvery, ping: DefaultPingEvery,
		refreshTimeout: DefaultRefreshTimeout}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Options{}: %+v, want %+v", c, want)
	}
	if c, err := (Options{ClockSkew: -1}).config(); err != nil || c.skew != 0 {
		t.Errorf("a negative ClockSkew: skew %v, %v; want none", c.skew, err)
	}
}

// Each invalid field is refused by New and NewWriter with ErrInvalid, in
// a message that names the field to change; nothing is sent to Redis.
func TestOptionsRefused(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	for field, o := range map[string]Options{
		"Prefix":          {Prefix: "a b"},
		"Prefix ":         {Prefix: "a}b:"},
		"MaxAge":          {MaxAge: bounds.MaxAgeLimit + time.Second},
		"MaxAge ":         {MaxAge: time.Second - 1},
		"MaxAge  ":        {MaxAge: -time.Second},
		"ClockSkew":       {ClockSkew: time.Hour + 1},
		"MaxEntries":      {MaxEntries: -1},
		"ResyncEvery":     {ResyncEvery: -1},
		"PingEvery":       {PingEvery: -1},
		"RefreshTimeout":  {RefreshTimeout: -1},
		"FailClosedAfter": {FailClosedAfter: -1},
		"MaxStaleness":    {MaxStaleness: -1},
		// FailClosedAfter at or below PingEvery, its default included.
		"FailClosedAfter ":  {FailClosedAfter: DefaultPingEvery},
		"FailClosedAfter  ": {FailClosedAfter: time.Minute, PingEvery: 2 * time.Minute},
	} {
		field = strings.TrimSpace(field)
		names := regexp.MustCompile(`Options\.` + field + `[ :]`)
		ctx, cancel := context.WithTimeout(bg, time.Second) // a valid o would wait for Redis
		_, err := New(ctx, client, o)
		cancel()
		_, werr := NewWriter(client, o)
		for _, err := range []error{err, werr} {
			if !errors.Is(err, ErrInvalid) || !names.MatchString(fmt.Sprint(err)) {
				t.Errorf("%+v: %v, want ErrInvalid naming Options.%s", o, err, field)
			}
		}
	}
}
