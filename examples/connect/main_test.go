package main

import (
	"context"
	"errors"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"github.com/cookiesession/cookiesession"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestVisitsOverEveryProtocol calls the service through connect-go's own
// client, with a cookie jar, over HTTPS and HTTP/2, in each protocol: the
// count that the handlers keep through FromContext must round-trip in the
// cookie, and Logout must end it.
func TestVisitsOverEveryProtocol(t *testing.T) {
	store, err := newStore([][]byte{cookiesession.GenerateKey()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(routes(store))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	protocols := map[string][]connect.ClientOption{
		"connect":  nil,
		"grpc":     {connect.WithGRPC()},
		"grpc-web": {connect.WithGRPCWeb()},
	}
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			c := srv.Client()
			c.Jar, _ = cookiejar.New(nil)
			visit := connect.NewClient[emptypb.Empty, wrapperspb.Int64Value](c, srv.URL+visitProcedure, opts...)
			logout := connect.NewClient[emptypb.Empty, emptypb.Empty](c, srv.URL+logoutProcedure, opts...)
			call := func(want int64) {
				t.Helper()
				resp, err := visit.CallUnary(context.Background(), connect.NewRequest(&emptypb.Empty{}))
				if err != nil {
					t.Fatal(err)
				}
				if got := resp.Msg.GetValue(); got != want {
					t.Fatalf("visits %d, want %d", got, want)
				}
			}
			call(1)
			call(2)
			call(3)
			if _, err := logout.CallUnary(context.Background(), connect.NewRequest(&emptypb.Empty{})); err != nil {
				t.Fatal(err)
			}
			call(1)
		})
	}
}

// TestNoMiddleware checks that the service, served without the store's
// middleware, fails each call loudly instead of counting in a session that
// is never saved.
func TestNoMiddleware(t *testing.T) {
	store, err := newStore([][]byte{cookiesession.GenerateKey()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(service(store))
	defer srv.Close()
	visit := connect.NewClient[emptypb.Empty, wrapperspb.Int64Value](srv.Client(), srv.URL+visitProcedure)
	_, err = visit.CallUnary(context.Background(), connect.NewRequest(&emptypb.Empty{}))
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeInternal || ce.Message() != errNoSession.Message() {
		t.Fatalf("call without the middleware: %v, want %v", err, errNoSession)
	}
	if _, ok := store.FromContext(context.Background()); ok {
		t.Fatal("FromContext outside the middleware reported a session")
	}
}
