package serverless_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/serverless"
)

const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// findRIE looks for aws-lambda-rie on PATH, then in GOPATH/bin.
func findRIE(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(string(trimNL(out)), "bin", "aws-lambda-rie")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	needTool(t, "aws-lambda-rie not found on PATH or in GOPATH/bin; install it with: go install %s", rieModule)
	return ""
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// rieFunction is a bootstrap binary running under the Runtime Interface
// Emulator, invoked over its HTTP API.
type rieFunction struct {
	url    string
	client *http.Client
}

// The emulator's invocation path, and the loopback addresses of the local
// run in docs/SERVERLESS.md. The emulator's defaults (0.0.0.0:8080 and
// 127.0.0.1:9001) are avoided: 8080 is also `cookiesession demo`'s, and the
// emulator panics when its address is taken. The tests use free ports in
// their place.
const (
	invokePath     = "/2015-03-31/functions/function/invocations"
	docInvokeAddr  = "127.0.0.1:9300"
	docRuntimeAddr = "127.0.0.1:9301"
	// rieTimeout is AWS_LAMBDA_FUNCTION_TIMEOUT: whole seconds (the
	// emulator panics on any other form, such as "10s").
	rieTimeout = "10"
)

// rieArgs is the emulator's command line after its name.
func rieArgs(invokeAddr, runtimeAddr, bootstrap string) []string {
	return []string{"--runtime-interface-emulator-address", invokeAddr, "--runtime-api-address", runtimeAddr, bootstrap}
}

// rieEnv is the environment the emulator and the bootstrap need.
func rieEnv(format string) []string {
	return []string{"EVENT_FORMAT=" + format, "AWS_LAMBDA_FUNCTION_TIMEOUT=" + rieTimeout}
}

// startRIE builds cmd/lambda as bootstrap and runs it under the emulator
// on loopback ports, with format as EVENT_FORMAT.
func startRIE(t *testing.T, format string, e map[string]string) *rieFunction {
	rie := findRIE(t)
	bootstrap := build(t, "./cmd/lambda", "bootstrap")
	invokeAddr, runtimeAddr := freePort(t), freePort(t)
	cmd := exec.Command(rie, rieArgs(invokeAddr, runtimeAddr, bootstrap)...)
	cmd.Env = append(append(os.Environ(), rieEnv(format)...), "LOG_LEVEL=error")
	for k, v := range e {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	start(t, cmd)
	waitListening(t, invokeAddr)
	return &rieFunction{
		url:    "http://" + invokeAddr + invokePath,
		client: &http.Client{Timeout: 15 * time.Second},
	}
}

// invoke posts one event to the emulator and returns the platform's view of
// the response, the instance's invocation count and the round-trip time.
func (f *rieFunction) invoke(t *testing.T, req request, j *jar) (response, int, time.Duration) {
	t.Helper()
	payload, _ := json.Marshal(v2Event(req, j.lines(), apiDomain))
	began := time.Now()
	resp, raw := post(t, f.client, f.url, payload)
	took := time.Since(began)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: HTTP %d: %s", resp.StatusCode, raw)
	}
	out := deliverV2(t, raw)
	j.apply(t, out.setCookies)
	n, err := strconv.Atoi(decode(t, raw).Headers["X-Instance-Invocations"])
	if err != nil {
		t.Fatalf("no invocation count in %s", raw)
	}
	return out, n, took
}

// TestRuntimeInterfaceEmulator runs the bootstrap under the real Lambda
// runtime emulator with HTTP API (payload 2.0) events: a cold start, then
// warm invocations of the same instance, the session carried across them
// in the cookies array and grown to three chunks.
func TestRuntimeInterfaceEmulator(t *testing.T) {
	f := startRIE(t, "http", map[string]string{serverless.EnvKeys: newKey(t)})
	j := newJar()
	resp, n, cold := f.invoke(t, request{"POST", "/login", "user=ada", ""}, j)
	if resp.status != http.StatusOK || n != 1 || j.chunks() != 1 {
		t.Fatalf("cold start: status %d, invocation %d, %d cookies: %s", resp.status, n, j.chunks(), resp.body)
	}
	var notes []string
	var warm time.Duration
	for want := 2; j.chunks() < 3; want++ {
		if want == 20 {
			t.Fatalf("still %d chunks", j.chunks())
		}
		notes = append(notes, note(800))
		resp, n, warm = f.invoke(t, request{"POST", "/note", "", notes[len(notes)-1]}, j)
		if resp.status != http.StatusOK || n != want || len(resp.setCookies) != j.chunks() {
			t.Fatalf("warm invocation %d: status %d, instance count %d, %d Set-Cookie lines", want, resp.status, n, len(resp.setCookies))
		}
	}
	resp, n, _ = f.invoke(t, request{"GET", "/", "", ""}, j)
	st := state(t, resp)
	if st.New || st.User != "ada" || !slices.Equal(st.Notes, notes) || n != len(notes)+2 {
		t.Fatalf("read back at invocation %d: new %v, err %q, user %q, %d notes", n, st.New, st.Err, st.User, len(st.Notes))
	}
	t.Logf("cold invocation (init + invoke) %v, last warm invocation %v, %d invocations on one instance", cold, warm, n)
}
