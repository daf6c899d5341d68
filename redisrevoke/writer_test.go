package redisrevoke

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// newWriter returns a Writer on s with the Lists' MaxAge (newList's).
func newWriter(t *testing.T, c redis.UniversalClient) *Writer {
	t.Helper()
	w, err := NewWriter(c, Options{MaxAge: time.Hour})
	must(t, err)
	return w
}

// refused waits until the instance refuses cookies with ErrRevoked.
func refused(t *testing.T, in *instance, cookies []*http.Cookie, what string) {
	t.Helper()
	within(t, time.Second, what, func() bool {
		_, refusal := in.request(cookies)
		return strings.Contains(refusal, cookiesession.ErrRevoked.Error())
	})
}

// A Writer's revocations reach a running List through pub/sub (ResyncEvery
// is far longer than the wait), a List started afterwards loads them, and
// each says whether Redis's entry changed.
func TestWriterReachesList(t *testing.T) {
	s := startRedis(t)
	in := newInstance(t, newList(t, s, Options{ResyncEvery: time.Hour}))
	alice1, id := in.login(t, "alice")
	alice2, _ := in.login(t, "alice")
	bob, _ := in.login(t, "bob")
	w := newWriter(t, s.client())
	changed := func(ok bool, err error) bool { t.Helper(); must(t, err); return ok }

	until := time.Now().Add(time.Hour)
	if !changed(w.RevokeSession(bg, id, until)) {
		t.Error("a new entry: changed false")
	}
	refused(t, in, alice1, "session revoked through a Writer")
	if user, _ := in.request(alice2); user != "alice" {
		t.Fatal("another session of the subject was refused")
	}
	if changed(w.RevokeSession(bg, id, until.Add(-time.Minute))) {
		t.Error("an earlier until: changed true")
	}
	if !changed(w.RevokeSubject(bg, "alice", time.Now())) {
		t.Error("a new cut-off: changed false")
	}
	refused(t, in, alice2, "subject revoked through a Writer")
	if user, _ := in.request(bob); user != "bob" {
		t.Fatal("another subject was refused")
	}
	changed(w.RevokeAll(bg, time.Now()))
	refused(t, in, bob, "all revoked through a Writer")

	late := newList(t, s, Options{})
	if !late.Revoked(id, "", time.Now()) || !late.Revoked("", "alice", time.Now().Add(-time.Minute)) || !late.Revoked("", "", time.Time{}) {
		t.Error("a new List does not load the Writer's entries")
	}
}

// A Writer refuses what a List refuses, and says when Redis did not record
// an entry because of its clock; nothing refused is written.
func TestWriterRefusals(t *testing.T) {
	s := startRedis(t)
	w := newWriter(t, s.client())
	now := time.Now()
	for name, tc := range map[string]struct {
		err  error
		want []error
	}{
		"empty id":        {second(w.RevokeSession(bg, "", now.Add(time.Hour))), []error{ErrInvalid}},
		"bad subject":     {second(w.RevokeSubject(bg, "\xff", now)), []error{ErrInvalid}},
		"future cut-off":  {second(w.RevokeAll(bg, now.Add(2*time.Minute))), []error{ErrInvalid, ErrFuture}},
		"future until":    {second(w.RevokeSession(bg, "sess", now.Add(time.Hour+2*time.Minute))), []error{ErrInvalid, ErrFuture}},
		"expired until":   {second(w.RevokeSession(bg, "sess", now.Add(-time.Second))), []error{ErrClockSkew}},
		"expired cut-off": {second(w.RevokeSubject(bg, "alice", now.Add(-2*time.Hour))), []error{ErrClockSkew}},
	} {
		for _, want := range tc.want {
			if !errors.Is(tc.err, want) {
				t.Errorf("%s: %v, want %v", name, tc.err, want)
			}
		}
	}
	if ks := keys(t, s); len(ks) != 0 {
		t.Errorf("refused revocations were written: %q", ks)
	}
	for _, c := range []redis.UniversalClient{nil, redis.NewRing(&redis.RingOptions{})} {
		if _, err := NewWriter(c, Options{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("NewWriter(%T): %v, want ErrInvalid", c, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// A Writer returns by its context's deadline while Redis hangs, even with
// a client that would wait forever.
func TestWriterBoundedWhileRedisHangs(t *testing.T) {
	s := startRedis(t)
	w := newWriter(t, noTimeoutClient(t, s))
	if _, err := w.RevokeAll(bg, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.hang(t)
	returnsWithin(t, 2*time.Second, "RevokeAll with a 200ms deadline", func() {
		ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
		defer cancel()
		if _, err := w.RevokeAll(ctx, time.Now()); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("RevokeAll while Redis hangs: %v", err)
		}
	})
}

// The merge script itself, whoever runs it, neither records nor publishes
// an entry further ahead of Redis's clock than Ahead allows (a year-3000
// global cut-off), and says so in its reply; an entry within the bound is
// recorded.
func TestMergeScriptRefusesFuture(t *testing.T) {
	s := startRedis(t)
	c := s.client()
	sub := c.Subscribe(bg, revokewire.Channel("p:"))
	defer sub.Close()
	if _, err := sub.Receive(bg); err != nil { // the subscription's confirmation
		t.Fatal(err)
	}
	merge := func(k kind, member string, at time.Time) revokewire.Merge {
		return revokewire.Merge{Prefix: "p:", Kind: k, Life: revokewire.Life(k, time.Hour), Ahead: revokewire.Ahead(k, time.Hour, time.Minute),
			Publish: true, Entries: map[string]int64{member: revokewire.Score(at)}}
	}
	now := time.Now()
	for _, m := range []revokewire.Merge{
		merge(kindAll, allMember, time.UnixMilli(32503680000000)),
		merge(kindSubject, "ada", now.Add(2*time.Minute)),
		merge(kindSession, "AAAAAAAAAAAAAAAAAAAAAA", now.Add(time.Hour+2*time.Minute)),
	} {
		res, err := m.Run(bg, scripter{c})
		if err != nil || res.Future != 1 || res.Changed != 0 {
			t.Errorf("%s: %+v, %v; want Future 1", m.Key(), res, err)
		}
		if n, err := c.Exists(bg, m.Key()).Result(); err != nil || n != 0 {
			t.Errorf("%s: written (%d, %v)", m.Key(), n, err)
		}
	}
	soon := now.Add(30 * time.Second)
	if res, err := merge(kindAll, allMember, soon).Run(bg, scripter{c}); err != nil || res.Changed != 1 || res.Future != 0 {
		t.Fatalf("a cut-off within the skew: %+v, %v", res, err)
	}
	// The only message published is the one recorded.
	ctx, cancel := context.WithTimeout(bg, 2*time.Second)
	defer cancel()
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || msg.Payload != revokewire.Message(kindAll, revokewire.Score(soon), allMember) {
		t.Fatalf("first message: %+v, %v", msg, err)
	}
}
