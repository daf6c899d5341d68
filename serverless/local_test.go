package serverless_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/serverless"
)

// Files of docs/SERVERLESS.md's "Run it locally", which the doc quotes
// verbatim: the event to send and the answer to expect.
const (
	localEvent    = "testdata/local/event.json"
	localAnswer   = "testdata/local/answer.json"
	serverlessDoc = "../docs/SERVERLESS.md"
)

// localCommands is the shell block of "Run it locally": the same build,
// environment and emulator command line that startRIE runs (there with free
// ports), then the invocation that TestLocalRun makes.
func localCommands() string {
	return strings.Join([]string{
		"cd serverless",
		"GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/lambda",
		"export COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen)",
		strings.Join(rieEnv("http"), " ") + " aws-lambda-rie " + strings.Join(rieArgs(docInvokeAddr, docRuntimeAddr, "./bootstrap"), " ") + " &",
		"curl -s -d @" + localEvent + " http://" + docInvokeAddr + invokePath,
	}, "\n")
}

// varying matches the parts of the answer that differ on each run: the
// sealed cookie value and the expiry dates.
var varying = regexp.MustCompile(`-session=[A-Za-z0-9_-]+|Expires=[^;"]+`)

// normalize indents an answer and replaces its varying parts with "…".
func normalize(t *testing.T, answer []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, answer, "", "  "); err != nil {
		t.Fatalf("the answer is not JSON: %v: %s", err, answer)
	}
	return varying.ReplaceAllStringFunc(b.String(), func(s string) string {
		name, _, _ := strings.Cut(s, "=")
		return name + "=…"
	})
}

// TestLocalRunDoc checks that docs/SERVERLESS.md shows the commands the
// tests run and quotes the event and the answer files verbatim.
func TestLocalRunDoc(t *testing.T) {
	doc, err := os.ReadFile(serverlessDoc)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"commands": "```sh\n" + localCommands() + "\n```"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("docs/SERVERLESS.md lacks the %s the tests run:\n%s", name, want)
		}
	}
	for _, file := range []string{localEvent, localAnswer} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if want := "```json\n" + string(b) + "```"; !bytes.Contains(doc, []byte(want)) {
			t.Errorf("docs/SERVERLESS.md does not quote %s verbatim:\n%s", file, want)
		}
	}
}

// TestLocalRun sends the doc's event to the bootstrap under the emulator,
// started as the doc starts it, and expects the doc's answer.
func TestLocalRun(t *testing.T) {
	f := startRIE(t, "http", map[string]string{serverless.EnvKeys: newKey(t)})
	event, err := os.ReadFile(localEvent)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(localAnswer)
	if err != nil {
		t.Fatal(err)
	}
	resp, raw := post(t, f.client, f.url, event)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: HTTP %d: %s", resp.StatusCode, raw)
	}
	if got := normalize(t, raw); got != strings.TrimSpace(string(want)) {
		t.Errorf("answer\n%s\nwant (%s)\n%s", got, localAnswer, want)
	}
}
