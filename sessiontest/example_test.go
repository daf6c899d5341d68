package sessiontest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/sessiontest"
)

// A handler test with a session already in the request and the session
// the response wrote read back; the "__Host-" name makes the request HTTPS.
func Example() {
	type Cart struct{ Items []string }
	store, err := cookiesession.New[Cart](cookiesession.Options{
		Keys: [][]byte{cookiesession.GenerateKey()},
		Name: "__Host-session",
	})
	if err != nil {
		panic(err)
	}
	handler := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.Items = append(s.Data.Items, r.FormValue("item"))
		fmt.Fprintf(w, "%d items", len(s.Data.Items))
	}))

	req := sessiontest.NewRequest(store, "POST", "/cart?item=tea", Cart{Items: []string{"milk"}})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)

	cart, ok := sessiontest.Data(store, rec)
	fmt.Println(rec.Code, rec.Body, req.TLS != nil)
	fmt.Println(cart.Items, ok)
	// Output:
	// 200 2 items true
	// [milk tea] true
}
