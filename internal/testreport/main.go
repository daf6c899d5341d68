// Command testreport reads `go test -json` output on stdin and prints what a
// reader in a hurry needs: each package's verdict, the full output of every
// failed test, and at the end every skipped test with the reason it gave,
// then one closing line: "N passed, N failed, N skipped". Lines that are
// not JSON (go vet, build errors) are passed through. It exits 1 when a
// test or a package failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of test2json output (go doc test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// report accumulates a run.
type report struct {
	out               io.Writer
	output            map[string][]string // package/test -> its output lines
	skips             []string
	passed, failed    int
	packageFailed     bool
	failedTestOutputs []string
}

func main() {
	r := &report{out: os.Stdout, output: map[string][]string{}}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		r.line(sc.Text())
	}
	if r.summary() {
		os.Exit(1)
	}
}

// line takes one line of input.
func (r *report) line(l string) {
	var e event
	if !strings.HasPrefix(l, "{") || json.Unmarshal([]byte(l), &e) != nil {
		fmt.Fprintln(r.out, l)
		return
	}
	key := e.Package + " " + e.Test
	switch e.Action {
	case "output", "build-output":
		r.output[key] = append(r.output[key], e.Output)
		if e.Test == "" && isVerdict(e.Output) {
			fmt.Fprint(r.out, e.Output)
		}
	case "pass":
		if e.Test != "" {
			r.passed++
		}
	case "skip":
		if e.Test != "" {
			r.skips = append(r.skips, fmt.Sprintf("%s %s: %s", e.Package, e.Test, reason(r.output[key])))
		}
	case "fail", "build-fail":
		if e.Test == "" {
			r.packageFailed = true
			return
		}
		r.failed++
		r.failedTestOutputs = append(r.failedTestOutputs, strings.Join(r.output[key], ""))
	}
}

// isVerdict reports whether a package-level output line is go test's
// verdict for the package ("ok  pkg 0.1s", "FAIL pkg", "?  pkg [no test files]").
func isVerdict(s string) bool {
	return strings.HasPrefix(s, "ok ") || strings.HasPrefix(s, "FAIL") || strings.HasPrefix(s, "?  ") || strings.HasPrefix(s, "panic:")
}

// reason picks the message a skipped test logged.
func reason(lines []string) string {
	var msgs []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		msgs = append(msgs, t)
	}
	if len(msgs) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msgs, " | ")
}

// summary prints the failures and skips and the closing line; it reports
// whether the run failed.
func (r *report) summary() bool {
	for _, o := range r.failedTestOutputs {
		fmt.Fprint(r.out, "\n"+o)
	}
	sort.Strings(r.skips)
	if len(r.skips) > 0 {
		fmt.Fprintf(r.out, "\nSkipped tests (%d):\n", len(r.skips))
		for _, s := range r.skips {
			fmt.Fprintln(r.out, "  "+s)
		}
	}
	fmt.Fprintf(r.out, "\n%d passed, %d failed, %d skipped\n", r.passed, r.failed, len(r.skips))
	return r.failed > 0 || r.packageFailed
}
