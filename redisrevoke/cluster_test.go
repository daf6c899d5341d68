package redisrevoke

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cookiesession/cookiesession/internal/redistest"
	"github.com/cookiesession/cookiesession/internal/revokewire"
)

// startCluster starts a Redis Cluster of three masters on free loopback
// ports (redis-server --cluster-enabled yes, joined by redis-cli --cluster
// create), killed at the test's end, and returns their addresses. Without
// redis-server or redis-cli the test skips, or fails when CI=true.
func startCluster(t *testing.T) []string {
	t.Helper()
	bin := redistest.Binary(t)
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-cli not found: CI must install the Debian package redis-server (redis-cli comes with its dependency redis-tools)")
		}
		t.Skip("redis-cli not found; install the Debian package redis-tools (a dependency of redis-server) to run this test")
	}
	var addrs []string
	for range 3 {
		port, bus, dir := redistest.FreePort(t), redistest.FreePort(t), t.TempDir()
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--cluster-port", strconv.Itoa(bus), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", dir+"/nodes.conf", "--cluster-node-timeout", "2000",
			"--save", "", "--appendonly", "no", "--dir", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		addr := "127.0.0.1:" + strconv.Itoa(port)
		waitFor(t, "redis-server "+addr+" answers", func() bool { return node(t, addr).Ping(bg).Err() == nil })
		addrs = append(addrs, addr)
	}
	out, err := exec.Command(cli, append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range addrs {
		waitFor(t, "cluster_state:ok on "+a, func() bool {
			info, err := node(t, a).ClusterInfo(bg).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok")
		})
	}
	return addrs
}

// node is a client of one cluster node, closed at the test's end.
func node(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// waitFor polls cond for up to 10 s, or fails.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
	}
}

// TestCluster: on a Redis Cluster of three masters, a revocation made on
// one instance reaches another (pub/sub), a change written without
// publishing arrives through the change log (the merge and log scripts
// each run on one slot), and after FLUSHALL on every master an instance
// started afterwards refuses the revoked session again (the others detect
// the loss and write back).
func TestCluster(t *testing.T) {
	addrs := startCluster(t)
	newClusterList := func(o Options) *List {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, DialTimeout: time.Second})
		t.Cleanup(func() { c.Close() })
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		l, err := New(ctx, c, testOptions(t, o))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	var rep reports
	a := newInstance(t, newClusterList(Options{PingEvery: 50 * time.Millisecond, ResyncEvery: time.Hour, OnError: rep.add}))
	b := newInstance(t, newClusterList(Options{PingEvery: time.Hour, ResyncEvery: time.Hour}))

	// The kinds' sets and logs are spread over the masters.
	slots := map[int64]bool{}
	for k := range kinds {
		for _, key := range []string{DefaultPrefix + k.Key(), revokewire.LogKey(DefaultPrefix, k)} {
			slot, err := node(t, addrs[0]).ClusterKeySlot(bg, key).Result()
			must(t, err)
			slots[slot] = true
		}
	}
	t.Logf("%d kinds' sets and logs in %d slots", kinds, len(slots))

	cookies, id := a.login(t, "alice")
	must(t, a.list.RevokeSession(bg, id, time.Now().Add(time.Hour)))
	within(t, 2*time.Second, "the other instance refuses the revoked session", func() bool { u, _ := b.request(cookies); return u == "" })
	bobCookies, _ := b.login(t, "bob")
	must(t, b.list.RevokeSubject(bg, "bob", time.Now()))
	within(t, 2*time.Second, "the subject's cut-off reaches the first instance", func() bool { u, _ := a.request(bobCookies); return u == "" })

	quiet := sessionID(42)
	must(t, a.list.write(bg, kindSession, map[string]int64{quiet: time.Now().Add(time.Hour).UnixMilli()}, false))
	must(t, b.list.Refresh(bg))
	if !b.list.Revoked(quiet, "", time.Now()) || b.list.logs[kindSession].id == "" {
		t.Fatalf("a change written without publishing did not arrive through the change log (position %+v)", b.list.logs[kindSession])
	}

	for _, addr := range addrs {
		must(t, node(t, addr).FlushAll(bg).Err())
	}
	c := newInstance(t, newClusterList(Options{PingEvery: 50 * time.Millisecond, ResyncEvery: time.Hour}))
	took := within(t, 3*time.Second, "an instance started after FLUSHALL refuses the revoked session", func() bool { u, _ := c.request(cookies); return u == "" })
	t.Logf("refused by the instance started after FLUSHALL on every master %v after its start", took)
	if rep.matching(ErrLost) == 0 {
		t.Error("the loss was not reported")
	}
}
