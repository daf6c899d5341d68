//go:build race

package cookiesession

// raceEnabled: the race detector can allocate on its own (Go 1.27 does here),
// so tests that bound allocated bytes loosen their absolute bounds.
const raceEnabled = true
