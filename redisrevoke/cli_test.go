package redisrevoke

import (
	"context"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/resp"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// cliRevoke writes a revocation the way "cookiesession revoke" does once
// its flags are read: revokewire.Revocation through the resp client.
func cliRevoke(t *testing.T, s *server, k revokewire.Kind, member string, at time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := revokewire.Revocation(DefaultPrefix, time.Hour, time.Minute, k, member, at)
	if err != nil {
		t.Fatal(err)
	}
	c, err := resp.Dial(ctx, s.addr(), resp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := m.Run(ctx, c); err != nil {
		t.Fatal(err)
	}
}

// refused waits until the instance refuses cookies with ErrRevoked.
func refused(t *testing.T, in *instance, cookies [][]*http.Cookie, what string) {
	t.Helper()
	within(t, time.Second, what, func() bool {
		for _, c := range cookies {
			if _, refusal := in.request(c); !strings.Contains(refusal, cookiesession.ErrRevoked.Error()) {
				return false
			}
		}
		return true
	})
}

// A revocation written by the command's client reaches a running List
// through pub/sub (ResyncEvery is far longer than the wait), and its store
// refuses the sessions with ErrRevoked.
func TestCLIRevocationReachesList(t *testing.T) {
	s := startRedis(t)
	in := newInstance(t, newList(t, s))
	alice1, id := in.login(t, "alice")
	alice2, _ := in.login(t, "alice")
	bob, _ := in.login(t, "bob")

	cliRevoke(t, s, revokewire.Session, id, time.Now().Add(time.Hour))
	refused(t, in, [][]*http.Cookie{alice1}, "session revoked through the command")
	if user, _ := in.request(alice2); user != "alice" {
		t.Fatal("another session of the subject was refused")
	}

	cliRevoke(t, s, revokewire.Subject, "alice", time.Now())
	refused(t, in, [][]*http.Cookie{alice2}, "subject revoked through the command")
	if user, _ := in.request(bob); user != "bob" {
		t.Fatal("another subject was refused")
	}

	cliRevoke(t, s, revokewire.All, revokewire.AllMember, time.Now())
	refused(t, in, [][]*http.Cookie{bob}, "all revoked through the command")

	// A List started afterwards loads what the command wrote.
	late := newList(t, s)
	if !late.Revoked(id, "", time.Now()) || !late.Revoked("", "alice", time.Now().Add(-time.Minute)) || !late.Revoked("", "", time.Time{}) {
		t.Error("a new List does not load the command's entries")
	}
}

// The command itself, built and run: "cookiesession revoke -session".
func TestCLIBinaryRevokes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build cookiesession with")
	}
	s := startRedis(t)
	bin := filepath.Join(t.TempDir(), "cookiesession")
	build := exec.Command(goBin, "build", "-o", bin, "github.com/cookiesession/cookiesession/cmd/cookiesession")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the command: %v\n%s", err, out)
	}
	in := newInstance(t, newList(t, s))
	cookies, id := in.login(t, "carol")
	out, err := exec.Command(bin, "revoke", "-redis", s.addr(), "-max-age", "1h", "-session", id, "-for", "1h").CombinedOutput()
	if err != nil {
		t.Fatalf("revoke: %v: %s", err, out)
	}
	refused(t, in, [][]*http.Cookie{cookies}, "session revoked by the command")
	out, err = exec.Command(bin, "revoke", "-redis", s.addr(), "-max-age", "1h", "-subject", "carol").CombinedOutput()
	if err != nil {
		t.Fatalf("revoke -subject: %v: %s", err, out)
	}
	within(t, time.Second, "subject cut-off from the command", func() bool {
		return in.list.Revoked("", "carol", time.Now().Add(-time.Minute))
	})
}
