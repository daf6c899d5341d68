// Command sse streams server-sent events (SSE) to a page that has a
// session. The handler changes the session first, then flushes: under the
// store's middleware the first Flush saves the session, so the Set-Cookie
// line leaves with the response header, before the first event, while the
// stream goes on for as long as the browser listens. A change made after
// that flush can no longer reach the browser: the middleware reports it
// (EventLostChange through Options.OnEvent; by default an Error line on
// slog's logger).
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./sse
//
// then open http://localhost:8080/: each page load opens a stream, and the
// session counts them.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cookiesession/cookiesession"
)

// session is what each visitor's cookie holds, as JSON.
type session struct {
	Streams int `json:"streams,omitempty"` // event streams this browser opened
}

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{Keys: keys, Name: "__Host-session"})
}

// routes serves the page and its event stream, which sends a "hello" event
// and then the time every tick.
func routes(store *cookiesession.Store[session], tick time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.Streams++ // every change before the first flush
		streams := s.Data.Streams
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		rc := http.NewResponseController(w)
		if err := rc.Flush(); err != nil {
			// The session could not be saved, and the store's error
			// handler has answered; or the connection is gone.
			return
		}
		fmt.Fprintf(w, "event: hello\ndata: stream %d\n\n", streams)
		t := time.NewTicker(tick)
		defer t.Stop()
		for id := 1; rc.Flush() == nil; id++ {
			select {
			case <-r.Context().Done():
				return
			case now := <-t.C:
				fmt.Fprintf(w, "id: %d\ndata: %s\n\n", id, now.UTC().Format(time.RFC3339))
			}
		}
	})
	return store.Middleware(mux)
}

// page opens the stream with EventSource and shows its events.
const page = `<!doctype html>
<meta charset="utf-8">
<title>cookiesession: server-sent events</title>
<p id="hello">connecting…</p>
<ul id="ticks"></ul>
<script>
const es = new EventSource("/events");
es.addEventListener("hello", e => { document.getElementById("hello").textContent = e.data; });
es.onmessage = e => {
  const li = document.createElement("li");
  li.textContent = e.data;
  document.getElementById("ticks").prepend(li);
};
</script>
`

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
	// No WriteTimeout: it would cut every stream after that long.
	srv := &http.Server{Addr: "localhost:8080", Handler: routes(store, 2*time.Second), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on http://%s/", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
