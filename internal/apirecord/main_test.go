package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFiles creates files (path -> content) under the current directory.
func writeFiles(t *testing.T, files map[string]string) {
	t.Helper()
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckNamesChangedLines records a two-module repository, changes one
// module's API, and expects the check to name the added and the removed
// line, and the command that accepts them; commands, internal packages and
// unpublished modules are not recorded.
func TestCheckNamesChangedLines(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFiles(t, map[string]string{
		"go.mod":                "module example.com/root\n\ngo 1.26\n",
		"root.go":               "package root\n\n// F is recorded.\nfunc F(a, b int) error { return nil }\n",
		"internal/x/x.go":       "package x\n\nfunc Hidden() {}\n",
		"cmd/tool/main.go":      "package main\n\nfunc Exported() {}\n\nfunc main() {}\n",
		"sub/go.mod":            "module example.com/root/sub\n\ngo 1.26\n",
		"sub/sub.go":            "package sub\n\ntype T struct {\n\tA, b int\n}\n",
		"examples/go.mod":       "module example.com/root/examples\n\ngo 1.26\n",
		"examples/ex/ex.go":     "package ex\n\nfunc Example() {}\n",
		"root_test.go":          "package root\n\nfunc TestOnly() {}\n",
		"sub/testdata/bad/x.go": "package bad\n\nfunc Bad() {}\n",
	})
	record, err := current()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		filepath.Join("api", "cookiesession.txt"): {"pkg example.com/root, func F(int, int) error"},
		filepath.Join("api", "sub.txt"): {
			"pkg example.com/root/sub, type T struct",
			"pkg example.com/root/sub, type T struct, A int",
		},
	}
	if len(record) != len(want) {
		t.Fatalf("record files = %v, want %v", record, want)
	}
	for file, lines := range want {
		if !slices.Equal(record[file], lines) {
			t.Errorf("%s = %q, want %q", file, record[file], lines)
		}
	}
	if err := writeRecord(record); err != nil {
		t.Fatal(err)
	}
	if err := check(record); err != nil {
		t.Fatalf("check of an unchanged API: %v", err)
	}

	writeFiles(t, map[string]string{"sub/sub.go": "package sub\n\ntype T struct {\n\tB, b int\n}\n"})
	changed, err := current()
	if err != nil {
		t.Fatal(err)
	}
	err = check(changed)
	if err == nil {
		t.Fatal("check passed after a field was renamed")
	}
	for _, s := range []string{
		"differs from " + filepath.Join("api", "sub.txt"),
		"  - pkg example.com/root/sub, type T struct, A int",
		"  + pkg example.com/root/sub, type T struct, B int",
		acceptCommand,
	} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message lacks %q:\n%v", s, err)
		}
	}
}

// TestDeclarationLines pins the form of each kind of declaration.
func TestDeclarationLines(t *testing.T) {
	dir := t.TempDir()
	src := `package p

import "errors"

type Mode uint8

const (
	A Mode = iota + 1
	B
	c
)

var ErrX = errors.New("x")

type G[K comparable, V any] struct{ M map[K]V }

func (g *G[K, V]) Get(key K, f func(v V) bool) (V, bool) { var v V; return v, false }

type I interface {
	Do(ctx any) error
	unexported()
}

type Alias = G[string, int]
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := packageAPI("p", dir, []string{"p.go"})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{
		"pkg p, const A Mode = 1",
		"pkg p, const B Mode = 2",
		"pkg p, method (*G[K, V]) Get(K, func(V) bool) (V, bool)",
		"pkg p, type Alias = G[string, int]",
		"pkg p, type G[K comparable, V any] struct",
		"pkg p, type G[K comparable, V any] struct, M map[K]V",
		"pkg p, type I interface",
		"pkg p, type I interface, Do(any) error",
		"pkg p, type Mode uint8",
		"pkg p, var ErrX error",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
