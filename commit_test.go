package cookiesession

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// adapterStore returns a store of o whose EventLostChange reports are
// collected into the returned slice.
func adapterStore(t *testing.T, o Options) (*Store[map[string]any], *[]error) {
	t.Helper()
	var lost []error
	o.Keys = [][]byte{GenerateKey()}
	o.OnEvent = func(_ context.Context, e Event) {
		if e.Kind == EventLostChange {
			lost = append(lost, e.Err)
		}
	}
	s, err := New[map[string]any](o)
	if err != nil {
		t.Fatal(err)
	}
	return s, &lost
}

// adapterRequest is what an adapter gives Open: a plain-HTTP request to
// localhost without a cookie.
func adapterRequest() Request {
	return Request{Host: "localhost", Context: context.Background()}
}

// TestReportLostChange drives the core as an adapter does (Open, Commit,
// ReportLostChange): each cause gives the *LostChangeError the
// middleware gives, reported once through OnEvent and returned.
func TestReportLostChange(t *testing.T) {
	for _, tc := range []struct {
		cause              error
		committed          bool // the change was committed before the cause
		what               string
		hijacked, panicked bool
	}{
		{cause: ErrAlreadyWritten, what: "Data"},
		{cause: ErrHijacked, what: "Data", hijacked: true},
		{cause: ErrPanicked, what: "Data", panicked: true},
		// A panic loses the committed change too: its response may never go out.
		{cause: ErrPanicked, committed: true, what: "Data", panicked: true},
	} {
		s, lost := adapterStore(t, Options{})
		sess := s.Open(adapterRequest())
		sess.Data["n"] = 1
		if tc.committed {
			if _, err := sess.Commit(); err != nil {
				t.Fatal(err)
			}
		}
		err := sess.ReportLostChange(context.Background(), tc.cause)
		var lc *LostChangeError
		if !errors.As(err, &lc) || !errors.Is(err, tc.cause) || lc.What != tc.what || lc.Hijacked != tc.hijacked || lc.Panicked != tc.panicked {
			t.Errorf("%v (committed %v): %#v, want What %q, Hijacked %v, Panicked %v", tc.cause, tc.committed, err, tc.what, tc.hijacked, tc.panicked)
		}
		if len(*lost) != 1 || (*lost)[0] != err {
			t.Errorf("%v: OnEvent got %v, want the returned error once", tc.cause, *lost)
		}
		sess.Data["n"] = 2
		if err := sess.ReportLostChange(context.Background(), tc.cause); err != nil || len(*lost) != 1 {
			t.Errorf("%v: second call %v, %d reports; want nil and still one", tc.cause, err, len(*lost))
		}
	}
}

// TestReportLostChangeNothingLost: nothing unsaved (untouched, committed,
// or told to the handler by Save's error) reports nothing and returns nil.
func TestReportLostChangeNothingLost(t *testing.T) {
	s, lost := adapterStore(t, Options{Secure: SecureAlways})
	untouched := s.Open(adapterRequest())
	committed := s.Open(Request{Host: "example.com", HTTPS: true})
	committed.Data["n"] = 1
	if _, err := committed.Commit(); err != nil {
		t.Fatal(err)
	}
	told := s.Open(Request{Host: "example.com"}) // plain HTTP under SecureAlways
	told.Data["n"] = 1
	if err := told.Save(httptest.NewRecorder()); !errors.Is(err, ErrInsecureRequest) {
		t.Fatalf("Save = %v, want ErrInsecureRequest", err)
	}
	for name, sess := range map[string]*Session[map[string]any]{"untouched": untouched, "committed": committed, "told": told} {
		for _, cause := range []error{ErrAlreadyWritten, ErrHijacked} {
			if err := sess.ReportLostChange(context.Background(), cause); err != nil {
				t.Errorf("%s, %v: %v, want nil", name, cause, err)
			}
		}
	}
	if len(*lost) != 0 {
		t.Errorf("reported %v, want nothing", *lost)
	}
}

// TestReportLostChangeLog: without OnEvent the report is slog's default
// logger's Error line, without the data.
func TestReportLostChangeLog(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	s, err := New[map[string]any](Options{Keys: [][]byte{GenerateKey()}})
	if err != nil {
		t.Fatal(err)
	}
	sess := s.Open(adapterRequest())
	sess.Data["user"] = "topsecret"
	//lint:ignore SA1012 a nil ctx is documented to mean context.Background()
	if err := sess.ReportLostChange(nil, ErrHijacked); err == nil {
		t.Fatal("nil, want the lost change")
	}
	out := buf.String()
	if strings.Count(out, "level=ERROR") != 1 || !strings.Contains(out, "session change lost (Data)") || strings.Contains(out, "topsecret") {
		t.Fatalf("log: %s", out)
	}
}
