// Command websocket serves a session-backed websocket with
// gorilla/websocket behind the session middleware: the upgrade reads the
// visitor's session and counts the connection in it.
//
//	COOKIESESSION_KEYS=$(go run github.com/cookiesession/cookiesession/cmd/cookiesession@latest keygen) go run .
//
// then visit http://localhost:8080/login and connect to
// ws://localhost:8080/ws. gorilla/websocket writes its own 101 response, so
// a session change must be saved into w.Header() (Session.Save) and that
// header passed to Upgrade; otherwise the middleware reports the change as
// lost (cookiesession.ErrHijacked) through Options.OnEvent
// (cookiesession.EventLostChange).
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/websocket"
)

// session is what each visitor's cookie holds, as JSON.
type session struct {
	User    string `json:"user,omitempty"`
	Sockets int    `json:"sockets,omitempty"`
}

// routes returns the application wrapped in the session middleware.
func routes(store *cookiesession.Store[session]) http.Handler {
	up := websocket.Upgrader{} // same-origin only, its default
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.User = "ada"
		s.Renew()
		w.Write([]byte("logged in\n"))
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		if s.Data.User == "" {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		s.Data.Sockets++
		// Save into w.Header() now and hand that header to the upgrader:
		// its 101 response is the only one this request gets.
		if err := s.Save(w); err != nil {
			http.Error(w, "session not saved", http.StatusInternalServerError)
			return
		}
		conn, err := up.Upgrade(w, r, w.Header())
		if err != nil {
			return // Upgrade has answered
		}
		defer conn.Close()
		conn.WriteMessage(websocket.TextMessage, []byte("hello "+s.Data.User))
		for {
			t, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			conn.WriteMessage(t, msg)
		}
	})
	return store.Middleware(mux)
}

// keys reads COOKIESESSION_KEYS as "cookiesession keygen" prints them, or
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
	store, err := cookiesession.New[session](cookiesession.Options{Keys: keys(), Name: "__Host-session"})
	if err != nil {
		log.Fatal(err)
	}
	log.Print("listening on http://localhost:8080")
	log.Fatal(http.ListenAndServe("localhost:8080", routes(store)))
}
