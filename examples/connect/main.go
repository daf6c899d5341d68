// Command connect uses cookiesession with connect-go: a connect handler
// receives a context.Context and a *connect.Request, never the
// *http.Request, so it reaches the session with Store.FromContext. The
// service is built from the protobuf well-known types, with no generated
// code; it speaks the Connect, gRPC and gRPC-Web protocols.
//
//	COOKIESESSION_KEYS=$(cd ../cmd/cookiesession && go run . keygen) go run ./connect
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"time"

	"connectrpc.com/connect"
	"github.com/cookiesession/cookiesession"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The service's procedures, as generated code would name them.
const (
	visitProcedure  = "/visits.v1.VisitService/Visit"
	logoutProcedure = "/visits.v1.VisitService/Logout"
)

type session struct {
	Visits int64 `json:"visits,omitempty"`
}

// errNoSession answers a call served outside store.Middleware.
var errNoSession = connect.NewError(connect.CodeInternal, errors.New("no session: serve the service under store.Middleware"))

func newStore(keys [][]byte) (*cookiesession.Store[session], error) {
	return cookiesession.New[session](cookiesession.Options{Keys: keys, Name: "__Host-session"})
}

// routes serves the service under the store's middleware, which saves the
// session before connect writes the response.
func routes(store *cookiesession.Store[session]) http.Handler {
	return store.Middleware(service(store))
}

// service is the connect service alone.
func service(store *cookiesession.Store[session]) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(visitProcedure, connect.NewUnaryHandler(visitProcedure,
		func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.Int64Value], error) {
			n, err := countVisit(ctx, store)
			if err != nil {
				return nil, err
			}
			return connect.NewResponse(wrapperspb.Int64(n)), nil
		}))
	mux.Handle(logoutProcedure, connect.NewUnaryHandler(logoutProcedure,
		func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[emptypb.Empty], error) {
			s, ok := store.FromContext(ctx)
			if !ok {
				return nil, errNoSession
			}
			s.Destroy()
			return connect.NewResponse(&emptypb.Empty{}), nil
		}))
	return mux
}

// countVisit is application code that has only the context.
func countVisit(ctx context.Context, store *cookiesession.Store[session]) (int64, error) {
	s, ok := store.FromContext(ctx)
	if !ok {
		return 0, errNoSession
	}
	s.Data.Visits++
	return s.Data.Visits, nil
}

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
