package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"path/filepath"
	"strconv"
	"strings"
)

// packageAPI parses a package's files (its build-constrained GoFiles, no
// tests) and returns one line per exported declaration, each starting with
// "pkg <import path>, ".
func packageAPI(importPath, dir string, files []string) ([]string, error) {
	fset := token.NewFileSet()
	w := &apiWriter{prefix: "pkg " + importPath + ", "}
	for _, name := range files {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				w.funcDecl(d)
			case *ast.GenDecl:
				w.genDecl(d)
			}
		}
	}
	return w.lines, nil
}

// apiWriter accumulates the lines of one package.
type apiWriter struct {
	prefix string
	lines  []string
}

func (w *apiWriter) add(format string, args ...any) {
	w.lines = append(w.lines, w.prefix+fmt.Sprintf(format, args...))
}

// funcDecl records an exported function, or an exported method of an
// exported type: "func F[T any](int) error", "method (*T[K]) M() error".
func (w *apiWriter) funcDecl(d *ast.FuncDecl) {
	if !d.Name.IsExported() {
		return
	}
	sig := strings.TrimPrefix(expr(d.Type), "func")
	if d.Recv == nil {
		w.add("func %s%s", d.Name.Name, sig)
		return
	}
	recv := d.Recv.List[0].Type
	if !ast.IsExported(baseTypeName(recv)) {
		return
	}
	w.add("method (%s) %s%s", expr(recv), d.Name.Name, sig)
}

// baseTypeName strips pointers and type arguments from a receiver type.
func baseTypeName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// genDecl records exported constants, variables and types.
func (w *apiWriter) genDecl(d *ast.GenDecl) {
	var last *ast.ValueSpec // a constant without values repeats the last ones
	for i, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			w.typeSpec(s)
		case *ast.ValueSpec:
			if d.Tok == token.CONST {
				if len(s.Values) > 0 {
					last = s
				}
				w.constSpec(s, last, i)
			} else {
				w.varSpec(s)
			}
		}
	}
}

// constSpec records "const Name Type = value", with iota replaced by its
// value in the group, so a reordered enumeration shows as a change.
func (w *apiWriter) constSpec(s, last *ast.ValueSpec, iota int) {
	for j, name := range s.Names {
		if !name.IsExported() {
			continue
		}
		typ := s.Type
		if typ == nil && last != nil {
			typ = last.Type
		}
		line := "const " + name.Name
		if typ != nil {
			line += " " + expr(typ)
		}
		if last != nil && j < len(last.Values) {
			line += " = " + withIota(last.Values[j], iota)
		}
		w.add("%s", line)
	}
}

// withIota prints a constant expression with iota replaced by n, and
// evaluated when that leaves only literals ("iota + 1" is "2" for n = 1),
// so an enumeration reads as its values.
func withIota(e ast.Expr, n int) string {
	s := expr(e)
	if r := replaceIdent(s, "iota", strconv.Itoa(n)); r != s {
		s = r
		if tv, err := types.Eval(token.NewFileSet(), nil, token.NoPos, s); err == nil && tv.Value != nil {
			s = tv.Value.ExactString()
		}
	}
	return s
}

// replaceIdent replaces the identifier old by repl where it stands alone.
func replaceIdent(s, old, repl string) string {
	isIdent := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], old) && (i == 0 || !isIdent(s[i-1])) &&
			(i+len(old) == len(s) || !isIdent(s[i+len(old)])) {
			b.WriteString(repl)
			i += len(old)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// varSpec records "var Name Type"; a variable made by errors.New or
// fmt.Errorf is an error, and for other untyped ones the initialiser's
// function or composite type stands for the type.
func (w *apiWriter) varSpec(s *ast.ValueSpec) {
	for j, name := range s.Names {
		if !name.IsExported() {
			continue
		}
		switch {
		case s.Type != nil:
			w.add("var %s %s", name.Name, expr(s.Type))
		case j < len(s.Values):
			w.add("var %s %s", name.Name, valueType(s.Values[j]))
		default:
			w.add("var %s", name.Name)
		}
	}
}

func valueType(v ast.Expr) string {
	switch v := v.(type) {
	case *ast.CallExpr:
		fn := expr(v.Fun)
		if fn == "errors.New" || fn == "fmt.Errorf" {
			return "error"
		}
		return "= " + fn + "(...)"
	case *ast.CompositeLit:
		return expr(v.Type)
	case *ast.UnaryExpr:
		if lit, ok := v.X.(*ast.CompositeLit); ok && v.Op == token.AND {
			return "*" + expr(lit.Type)
		}
	}
	return "= " + expr(v)
}

// typeSpec records an exported type; a struct adds a line per exported
// field, an interface a line per method or embedded type.
func (w *apiWriter) typeSpec(s *ast.TypeSpec) {
	if !s.Name.IsExported() {
		return
	}
	name := s.Name.Name
	if s.TypeParams != nil {
		name += typeParams(s.TypeParams)
	}
	if s.Assign.IsValid() {
		w.add("type %s = %s", name, expr(s.Type))
		return
	}
	switch t := s.Type.(type) {
	case *ast.StructType:
		w.add("type %s struct", name)
		w.fields(fmt.Sprintf("type %s struct, ", name), t.Fields, true)
	case *ast.InterfaceType:
		w.add("type %s interface", name)
		w.fields(fmt.Sprintf("type %s interface, ", name), t.Methods, false)
	default:
		w.add("type %s %s", name, expr(s.Type))
	}
}

// fields records the exported fields of a struct or the methods and
// embedded types (constraints included) of an interface.
func (w *apiWriter) fields(prefix string, list *ast.FieldList, isStruct bool) {
	for _, f := range list.List {
		if len(f.Names) == 0 {
			if !isStruct || ast.IsExported(baseTypeName(f.Type)) {
				w.add("%sembedded %s", prefix, expr(f.Type))
			}
			continue
		}
		for _, n := range f.Names {
			if !n.IsExported() {
				continue
			}
			if ft, ok := f.Type.(*ast.FuncType); ok && !isStruct {
				w.add("%s%s%s", prefix, n.Name, strings.TrimPrefix(expr(ft), "func"))
			} else {
				w.add("%s%s %s", prefix, n.Name, expr(f.Type))
			}
		}
	}
}

// typeParams prints a type parameter list with its names: "[K comparable, V any]".
func typeParams(list *ast.FieldList) string {
	var parts []string
	for _, f := range list.List {
		for _, n := range f.Names {
			parts = append(parts, n.Name+" "+expr(f.Type))
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// expr prints a type or value expression on one line, with the parameter
// names of every function type dropped (they are not part of the API).
func expr(e ast.Expr) string {
	ast.Inspect(e, func(n ast.Node) bool {
		if ft, ok := n.(*ast.FuncType); ok {
			ft.Params = unnamed(ft.Params)
			ft.Results = unnamed(ft.Results)
		}
		return true
	})
	var buf bytes.Buffer
	if err := printer.Fprint(&buf, token.NewFileSet(), e); err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return strings.Join(strings.Fields(buf.String()), " ")
}

// unnamed returns a parameter list with one unnamed field per parameter.
func unnamed(list *ast.FieldList) *ast.FieldList {
	if list == nil {
		return nil
	}
	out := &ast.FieldList{}
	for _, f := range list.List {
		for range max(1, len(f.Names)) {
			out.List = append(out.List, &ast.Field{Type: f.Type})
		}
	}
	return out
}
