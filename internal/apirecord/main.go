// Command apirecord keeps the record of the exported API in api/, as the Go
// project keeps api/go1.*.txt: one line per exported name, field, method and
// interface method of every public package, one file per module.
//
// Run from the repository root:
//
//	go run ./internal/apirecord      # check: exit 1 and name every differing line
//	go run ./internal/apirecord -w   # write the record after a deliberate change
//
// Every directory with a go.mod is a module; a new one is recorded without
// configuration, except the unpublished modules in notPublished. A public
// package is any package of a module that is not a command (package main)
// and not under internal/ or testdata/. Only the declarations count, not the
// doc comments; parameter names are dropped.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// recordDir holds the record, one file per module (api/<module dir>.txt).
const recordDir = "api"

// acceptCommand is what the check tells a reader to run.
const acceptCommand = "go run ./internal/apirecord -w"

// notPublished lists the module directories no user imports: test and
// benchmark harnesses, and examples that are meant to be copied.
var notPublished = map[string]bool{"bench": true, "e2e": true, "examples": true, "interop": true}

func main() {
	write := flag.Bool("w", false, "write the record instead of checking it")
	flag.Parse()
	want, err := current()
	if err != nil {
		fmt.Fprintln(os.Stderr, "apirecord:", err)
		os.Exit(2)
	}
	if *write {
		err = writeRecord(want)
	} else {
		err = check(want)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// current returns the API of every published module, keyed by record file.
func current() (map[string][]string, error) {
	dirs, err := moduleDirs()
	if err != nil {
		return nil, err
	}
	record := map[string][]string{}
	for _, dir := range dirs {
		lines, err := moduleAPI(dir)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", dir, err)
		}
		if len(lines) > 0 {
			record[recordFile(dir)] = lines
		}
	}
	return record, nil
}

// moduleDirs finds every directory holding a go.mod, relative to the root.
func moduleDirs() ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != "." && (name == "node_modules" || name == "testdata" || strings.HasPrefix(name, ".")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && name == "go.mod" && !notPublished[filepath.Dir(path)] {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	return dirs, err
}

// recordFile names a module's record: api/cookiesession.txt for the root,
// api/redisrevoke.txt for ./redisrevoke, api/a-b.txt for ./a/b.
func recordFile(dir string) string {
	name := "cookiesession"
	if dir != "." {
		name = strings.ReplaceAll(filepath.ToSlash(dir), "/", "-")
	}
	return filepath.Join(recordDir, name+".txt")
}

// moduleAPI lists a module's packages with go list (without resolving
// imports, so nothing is downloaded) and returns their API lines, sorted.
func moduleAPI(dir string) ([]string, error) {
	cmd := exec.Command("go", "list", "-find", "-e", "-f",
		"{{.ImportPath}}\t{{.Name}}\t{{.Dir}}\t{{join .GoFiles \" \"}}", "./...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
	}
	var lines []string
	for _, row := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(row, "\t")
		if len(f) != 4 || f[1] == "main" || f[3] == "" || !public(f[0]) {
			continue
		}
		pkgLines, err := packageAPI(f[0], f[2], strings.Fields(f[3]))
		if err != nil {
			return nil, err
		}
		lines = append(lines, pkgLines...)
	}
	slices.Sort(lines)
	return slices.Compact(lines), nil
}

// public reports whether an import path may be imported from outside.
func public(importPath string) bool {
	for _, elem := range strings.Split(importPath, "/") {
		if elem == "internal" || elem == "testdata" {
			return false
		}
	}
	return true
}

// writeRecord replaces the files of api/ with the current API.
func writeRecord(record map[string][]string) error {
	old, _ := filepath.Glob(filepath.Join(recordDir, "*.txt"))
	for _, file := range old {
		if _, keep := record[file]; !keep {
			if err := os.Remove(file); err != nil {
				return err
			}
		}
	}
	if err := os.MkdirAll(recordDir, 0o755); err != nil {
		return err
	}
	for file, lines := range record {
		if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// check compares the current API with the record and describes every
// difference: "+" for a line the record lacks, "-" for one the code lacks.
func check(record map[string][]string) error {
	files, _ := filepath.Glob(filepath.Join(recordDir, "*.txt"))
	for file := range record {
		files = append(files, file)
	}
	slices.Sort(files)
	var msg strings.Builder
	for _, file := range slices.Compact(files) {
		data, err := os.ReadFile(file)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		var recorded []string
		if len(data) > 0 {
			recorded = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		}
		added, removed := diff(record[file], recorded)
		if len(added)+len(removed) == 0 {
			continue
		}
		fmt.Fprintf(&msg, "the exported API differs from %s:\n", file)
		for _, l := range removed {
			fmt.Fprintf(&msg, "  - %s\n", l)
		}
		for _, l := range added {
			fmt.Fprintf(&msg, "  + %s\n", l)
		}
	}
	if msg.Len() == 0 {
		return nil
	}
	fmt.Fprintf(&msg, "If the change is deliberate, record it with\n\t%s\nand add its line to CHANGELOG.md under Unreleased.", acceptCommand)
	return fmt.Errorf("%s", msg.String())
}

// diff returns the lines only in now and the lines only in was.
func diff(now, was []string) (added, removed []string) {
	for _, l := range now {
		if !slices.Contains(was, l) {
			added = append(added, l)
		}
	}
	for _, l := range was {
		if !slices.Contains(now, l) {
			removed = append(removed, l)
		}
	}
	return added, removed
}
