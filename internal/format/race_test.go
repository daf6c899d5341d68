//go:build race

package format

// raceEnabled: the race detector drops some of what a sync.Pool is given,
// so tests of pooled buffers do not count allocations under it.
const raceEnabled = true
