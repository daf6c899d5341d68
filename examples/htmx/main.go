// Command htmx is a to-do list driven by htmx, with flash messages carried
// in the session from the request that sets them to the one that shows
// them, and http.CrossOriginProtection refusing cross-site form posts.
//
// With htmx, a form posts in the background: the answer is an empty 200
// with "HX-Trigger: todos-changed", on which the list (hx-trigger
// "todos-changed from:body") fetches GET /todos, and that request reads
// the flash. Without JavaScript the same forms post normally and get a
// 303 to the page, which reads the flash: post, redirect, get.
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./htmx
//
// then open http://localhost:8080/ (htmx 2.0.11 loads from unpkg.com, with
// its Subresource Integrity hash).
package main

import (
	"html/template"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession"
)

// session is what each visitor's cookie holds, as JSON.
type session struct {
	Todos []string `json:"todos,omitempty"`
}

// maxItem is the longest item accepted, in bytes of UTF-8, and maxTodos
// the most items a list holds: the whole list lives in one cookie of at
// most 4 KB, so 20 items of 100 bytes and a flash message fit.
const (
	maxItem  = 100
	maxTodos = 20
)

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{Keys: keys, Name: "__Host-session"})
}

// routes serves the page, its list fragment and the forms' posts, behind
// cross-origin protection: a refused post never reaches the session.
func routes(store *cookiesession.Store[session]) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, "page", store.Get(r))
	})
	mux.HandleFunc("GET /todos", func(w http.ResponseWriter, r *http.Request) {
		render(w, "todos", store.Get(r))
	})
	mux.HandleFunc("POST /todos", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		item := strings.TrimSpace(r.FormValue("item"))
		switch {
		case item == "" || len(item) > maxItem || !utf8.ValidString(item):
			s.AddFlash("Nothing added: an item takes 1 to 100 bytes of text.")
		case len(s.Data.Todos) >= maxTodos:
			s.AddFlash("Nothing added: the list is full.")
		default:
			s.Data.Todos = append(s.Data.Todos, item)
			s.AddFlash("Added “" + item + "”.")
		}
		changed(w, r)
	})
	mux.HandleFunc("POST /todos/clear", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.Todos = nil
		s.AddFlash("Cleared.")
		changed(w, r)
	})
	return http.NewCrossOriginProtection().Handler(store.Middleware(mux))
}

// changed answers a post that changed the list: to htmx, an empty 200
// that triggers the list's reload; to a plain form post, a redirect.
func changed(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Trigger", "todos-changed")
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// view is what the templates show: the list, and the flashes, read (and
// so removed from the session) as the view is built.
type view struct {
	Todos   []string
	Flashes []string
}

// render executes the template name for the session s.
func render(w http.ResponseWriter, name string, s *cookiesession.Session[session]) {
	v := view{Todos: s.Data.Todos, Flashes: s.Flashes()}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := templates.ExecuteTemplate(w, name, v); err != nil {
		log.Printf("template %s: %v", name, err)
	}
}

var templates = template.Must(template.New("").Parse(`
{{define "todos"}}<div id="todos" hx-get="/todos" hx-trigger="todos-changed from:body" hx-swap="outerHTML">
{{range .Flashes}}<p class="flash" role="status">{{.}}</p>
{{end}}<ul>
{{range .Todos}}<li>{{.}}</li>
{{else}}<li><em>nothing to do</em></li>
{{end}}</ul>
</div>{{end}}

{{define "page"}}<!doctype html>
<meta charset="utf-8">
<title>cookiesession: htmx to-do list</title>
<script src="https://unpkg.com/htmx.org@2.0.11/dist/htmx.min.js"
  integrity="sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
  crossorigin="anonymous"></script>
<h1>To do</h1>
{{template "todos" .}}
<form action="/todos" method="post" hx-post="/todos" hx-swap="none" hx-on::after-request="this.reset()">
  <input name="item" maxlength="100" required autofocus> <button>Add</button>
</form>
<form action="/todos/clear" method="post" hx-post="/todos/clear" hx-swap="none">
  <button>Clear</button>
</form>
{{end}}`))

// keys reads COOKIESESSION_KEYS as "cookiesession keygen" prints them
// (several keys separated by commas or whitespace, the newest first), or
// makes a random key whose sessions end with the process.
func keys() [][]byte {
	if list := os.Getenv("COOKIESESSION_KEYS"); list != "" {
		k, err := cookiesession.ParseKeys(list)
		if err != nil {
			log.Fatalf("COOKIESESSION_KEYS: %v", err)
		}
		return k
	}
	log.Print("COOKIESESSION_KEYS not set: using a random key; sessions end with the process")
	return [][]byte{cookiesession.GenerateKey()}
}

func main() {
	store, err := newStore(keys())
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "localhost:8080", Handler: routes(store), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
