package demo

import (
	"sync"

	"github.com/cookiesession/cookiesession"
)

// eventCounts counts the store's lifecycle events by kind, for every
// browser this demo server has served since it started. It is safe for
// concurrent use: Options.OnEvent runs in each request's goroutine.
type eventCounts struct {
	mu sync.Mutex
	n  map[cookiesession.EventKind]int
}

// add counts one event of kind k.
func (c *eventCounts) add(k cookiesession.EventKind) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[cookiesession.EventKind]int{}
	}
	c.n[k]++
}

// eventCount is one kind of event and how often it happened.
type eventCount struct {
	Kind  string // EventKind.String: "created", "size-warning", ...
	Count int
}

// snapshot returns the count of every kind, in the library's order: each
// kind from EventCreated to EventSizeWarning, zero or not, and any later
// kind that was seen.
func (c *eventCounts) snapshot() []eventCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	last := int(cookiesession.EventSizeWarning)
	for k := range c.n {
		last = max(last, int(k))
	}
	out := make([]eventCount, 0, last)
	for k := int(cookiesession.EventCreated); k <= last; k++ {
		kind := cookiesession.EventKind(k)
		out = append(out, eventCount{Kind: kind.String(), Count: c.n[kind]})
	}
	return out
}
