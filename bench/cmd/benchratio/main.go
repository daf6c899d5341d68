// Command benchratio reads the output of this module's benchmarks (go test
// -bench, any number of runs) and prints, as Markdown, the medians side by
// side, the ratios between contenders and whether the performance targets
// bench/NOTES.md sets are met. Ratios are taken between medians of
// the same input, so only between figures measured in the same run.
//
//	benchratio results.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// key names one benchmark: its operation (Seal, Open, SealOpen), payload
// and contender.
type key struct{ op, payload, impl string }

// samples maps a benchmark and a unit to its measurements.
type samples map[key]map[string][]float64

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchratio FILE...")
		os.Exit(2)
	}
	s := samples{}
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		err = s.parse(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if len(s) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no benchmark lines")
		os.Exit(1)
	}
	if !report(os.Stdout, s) {
		os.Exit(3)
	}
}

// parse reads benchmark lines such as
//
//	BenchmarkSeal/payload=small/impl=floor-2  100  5000 ns/op  452 cookie-bytes  2600 B/op  20 allocs/op
func (s samples) parse(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		k, ok := parseName(f[0])
		if !ok {
			continue
		}
		if s[k] == nil {
			s[k] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("%q: %v", sc.Text(), err)
			}
			s[k][f[i+1]] = append(s[k][f[i+1]], v)
		}
	}
	return sc.Err()
}

// parseName splits "BenchmarkOp/payload=P/impl=I-2".
func parseName(name string) (key, bool) {
	parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
	if len(parts) != 3 {
		return key{}, false
	}
	k := key{op: parts[0]}
	p, ok1 := strings.CutPrefix(parts[1], "payload=")
	i, ok2 := strings.CutPrefix(parts[2], "impl=")
	if !ok1 || !ok2 {
		return key{}, false
	}
	if j := strings.LastIndexByte(i, '-'); j > 0 {
		if _, err := strconv.Atoi(i[j+1:]); err == nil {
			i = i[:j] // GOMAXPROCS suffix
		}
	}
	k.payload, k.impl = p, i
	return k, true
}

// has reports whether there are samples of op (in unit, unless unit is
// empty).
func (s samples) has(op, unit string) bool {
	for k, units := range s {
		if k.op == op && (unit == "" || len(units[unit]) > 0) {
			return true
		}
	}
	return false
}

// median returns the median of op/payload/impl in unit, and whether there
// is one.
func (s samples) median(op, payload, impl, unit string) (float64, bool) {
	v := slices.Clone(s[key{op, payload, impl}][unit])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// values lists the payloads and contenders present, in first-seen order
// of the canonical lists, then any others sorted.
func (s samples) values() (payloads, impls []string) {
	seenP, seenI := map[string]bool{}, map[string]bool{}
	for k := range s {
		seenP[k.payload], seenI[k.impl] = true, true
	}
	order := func(canon []string, seen map[string]bool) []string {
		var out []string
		for _, c := range canon {
			if seen[c] {
				out = append(out, c)
				delete(seen, c)
			}
		}
		var rest []string
		for c := range seen {
			rest = append(rest, c)
		}
		slices.Sort(rest)
		return append(out, rest...)
	}
	return order([]string{"small", "map", "large"}, seenP),
		order(append([]string{"floor", "floor-http", "codec-xchacha", "codec-aesgcm", "store", "securecookie-json", "gorilla-sessions"}, pluggedImpls()...), seenI)
}

// plugged are the JSON implementations the bench module plugs into the
// store (Options.JSON) and into securecookie.
var plugged = []string{"goccy", "sonic"}

// pluggedImpls lists their contenders in table order.
func pluggedImpls() []string {
	var out []string
	for _, j := range plugged {
		out = append(out, "floor-"+j, "codec-"+j, "store-"+j, "securecookie-"+j)
	}
	return out
}

// target is one performance target: a ratio of two contenders' medians
// compared with a bound.
type target struct {
	what     string
	op, unit string
	num, den string  // ratio num/den
	bound    float64 // for "≥": num/den must be at least bound; for "≤": at most
	atLeast  bool
	diff     bool // compare num-den (allocations) instead of num/den
}

var targets = append([]target{
	{what: "seal+open ≥ 2× faster than securecookie JSON (store path)", op: "SealOpen", unit: "ns/op", num: "securecookie-json", den: "store", bound: 2, atLeast: true},
	{what: "seal+open ≥ 3× faster than gorilla/sessions (store path)", op: "SealOpen", unit: "ns/op", num: "gorilla-sessions", den: "store", bound: 3, atLeast: true},
	{what: "seal+open ≥ 3× faster than gorilla/sessions (codec)", op: "SealOpen", unit: "ns/op", num: "gorilla-sessions", den: "codec-xchacha", bound: 3, atLeast: true},
	{what: "seal+open ≥ 2× faster than securecookie JSON (codec, XChaCha20)", op: "SealOpen", unit: "ns/op", num: "securecookie-json", den: "codec-xchacha", bound: 2, atLeast: true},
	{what: "seal+open ≥ 2× faster than securecookie JSON (codec, AES-GCM)", op: "SealOpen", unit: "ns/op", num: "securecookie-json", den: "codec-aesgcm", bound: 2, atLeast: true},
	{what: "seal+open within 1.3× of the floor (codec, XChaCha20)", op: "SealOpen", unit: "ns/op", num: "codec-xchacha", den: "floor", bound: 1.3},
	{what: "allocs per seal ≤ floor + 2 (codec, XChaCha20)", op: "Seal", unit: "allocs/op", num: "codec-xchacha", den: "floor", bound: 2, diff: true},
	{what: "allocs per open ≤ floor + 2 (codec, XChaCha20)", op: "Open", unit: "allocs/op", num: "codec-xchacha", den: "floor", bound: 2, diff: true},
	{what: "allocs per seal ≤ floor + 2 (codec, AES-GCM)", op: "Seal", unit: "allocs/op", num: "codec-aesgcm", den: "floor", bound: 2, diff: true},
	{what: "allocs per open ≤ floor + 2 (codec, AES-GCM)", op: "Open", unit: "allocs/op", num: "codec-aesgcm", den: "floor", bound: 2, diff: true},
	{what: "(ceiling) floor faster than gorilla/sessions", op: "SealOpen", unit: "ns/op", num: "gorilla-sessions", den: "floor", bound: 3, atLeast: true},
	{what: "(ceiling) floor faster than securecookie JSON", op: "SealOpen", unit: "ns/op", num: "securecookie-json", den: "floor", bound: 2, atLeast: true},
	{what: "(for information) store path within 1.3× of the floor", op: "SealOpen", unit: "ns/op", num: "store", den: "floor", bound: 1.3},
	{what: "(for information) store path within 1.3× of the floor with the same HTTP work", op: "SealOpen", unit: "ns/op", num: "store", den: "floor-http", bound: 1.3},
	{what: "(for information) allocs per seal ≤ floor + 2 (store path)", op: "Seal", unit: "allocs/op", num: "store", den: "floor", bound: 2, diff: true},
	{what: "(for information) allocs per open ≤ floor + 2 (store path)", op: "Open", unit: "allocs/op", num: "store", den: "floor", bound: 2, diff: true},
	{what: "(for information) allocs per seal ≤ floor + 2 (store path, floor with the same HTTP work)", op: "Seal", unit: "allocs/op", num: "store", den: "floor-http", bound: 2, diff: true},
	{what: "(for information) allocs per open ≤ floor + 2 (store path, floor with the same HTTP work)", op: "Open", unit: "allocs/op", num: "store", den: "floor-http", bound: 2, diff: true},
}, pluggedTargets()...)

// pluggedTargets are the targets again for each plugged JSON
// implementation j: against the floor and securecookie with the same j
// (like for like), and against securecookie's default JSONEncoder and
// gorilla/sessions.
func pluggedTargets() []target {
	var out []target
	for _, j := range plugged {
		store, codec, floor, sc := "store-"+j, "codec-"+j, "floor-"+j, "securecookie-"+j
		out = append(out,
			target{what: "[" + j + "] seal+open ≥ 2× faster than securecookie with " + j + " (store path)", op: "SealOpen", unit: "ns/op", num: sc, den: store, bound: 2, atLeast: true},
			target{what: "[" + j + "] seal+open ≥ 2× faster than securecookie JSON (store path)", op: "SealOpen", unit: "ns/op", num: "securecookie-json", den: store, bound: 2, atLeast: true},
			target{what: "[" + j + "] seal+open ≥ 3× faster than gorilla/sessions (store path)", op: "SealOpen", unit: "ns/op", num: "gorilla-sessions", den: store, bound: 3, atLeast: true},
			target{what: "[" + j + "] seal+open ≥ 2× faster than securecookie with " + j + " (codec)", op: "SealOpen", unit: "ns/op", num: sc, den: codec, bound: 2, atLeast: true},
			target{what: "[" + j + "] seal+open within 1.3× of the floor with " + j + " (codec)", op: "SealOpen", unit: "ns/op", num: codec, den: floor, bound: 1.3},
			target{what: "[" + j + "] allocs per seal ≤ floor with " + j + " + 2 (codec)", op: "Seal", unit: "allocs/op", num: codec, den: floor, bound: 2, diff: true},
			target{what: "[" + j + "] allocs per open ≤ floor with " + j + " + 2 (codec)", op: "Open", unit: "allocs/op", num: codec, den: floor, bound: 2, diff: true},
			target{what: "([" + j + "] for information) store path against the encoding/json floor", op: "SealOpen", unit: "ns/op", num: store, den: "floor", bound: 1.3},
		)
	}
	return out
}

// report writes the tables and reports whether every target was met;
// rows in parentheses are for information and do not count, nor do rows in
// brackets, the targets with a plugged JSON implementation (the exit status
// is about the default, encoding/json). The ceiling
// rows compare the floor with the peers: the most that any design around
// encoding/json and one AEAD can gain on them.
func report(w io.Writer, s samples) bool {
	payloads, impls := s.values()
	for _, op := range []string{"SealOpen", "Seal", "Open"} {
		if s.has(op, "") {
			medians(w, s, op, payloads, impls)
		}
	}
	fmt.Fprintf(w, "\nTargets (ratios of medians from the same run)\n\n| target | %s |\n|---|%s\n", strings.Join(payloads, " | "), strings.Repeat("---|", len(payloads)))
	all := true
	for _, t := range targets {
		if !s.has(t.op, t.unit) {
			continue
		}
		fmt.Fprintf(w, "| %s |", t.what)
		for _, p := range payloads {
			txt, met, ok := t.check(s, p)
			if !ok {
				fmt.Fprint(w, " – |")
				continue
			}
			mark := "met"
			if !met {
				mark = "**missed**"
				if !strings.HasPrefix(t.what, "(") && !strings.HasPrefix(t.what, "[") {
					all = false
				}
			}
			fmt.Fprintf(w, " %s %s |", txt, mark)
		}
		fmt.Fprintln(w)
	}
	return all
}

// medians writes the table of one operation's medians.
func medians(w io.Writer, s samples, op string, payloads, impls []string) {
	fmt.Fprintf(w, "\n%s, medians: ns/op · B/op · allocs/op · cookie bytes\n\n", op)
	fmt.Fprintf(w, "| payload | %s |\n|---|%s\n", strings.Join(impls, " | "), strings.Repeat("---:|", len(impls)))
	for _, p := range payloads {
		fmt.Fprintf(w, "| %s |", p)
		for _, im := range impls {
			ns, ok := s.median(op, p, im, "ns/op")
			if !ok {
				fmt.Fprint(w, " – |")
				continue
			}
			b, _ := s.median(op, p, im, "B/op")
			a, _ := s.median(op, p, im, "allocs/op")
			c, _ := s.median(op, p, im, "cookie-bytes")
			fmt.Fprintf(w, " %s · %.0f · %.0f · %.0f |", fmtNs(ns), b, a, c)
		}
		fmt.Fprintln(w)
	}
}

// check evaluates the target on payload p: the cell's text, whether it is
// met, and whether both sides were measured.
func (t target) check(s samples, p string) (string, bool, bool) {
	n, ok1 := s.median(t.op, p, t.num, t.unit)
	d, ok2 := s.median(t.op, p, t.den, t.unit)
	if !ok1 || !ok2 || (!t.diff && d == 0) {
		return "", false, false
	}
	var v float64
	var txt string
	if t.diff {
		v = n - d
		txt = fmt.Sprintf("%+.0f (%.0f vs %.0f)", v, n, d)
	} else {
		v = n / d
		txt = fmt.Sprintf("%.2f×", v)
	}
	if t.atLeast {
		return txt, v >= t.bound, true
	}
	return txt, v <= t.bound, true
}

func fmtNs(ns float64) string {
	if ns >= 1e4 {
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.2f µs", ns/1e3)
}
