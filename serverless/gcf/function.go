// Package gcf is the function's Cloud Functions source: deploy it with
//
//	gcloud functions deploy session --gen2 --runtime go126 --trigger-http \
//	  --entry-point Session --set-secrets COOKIESESSION_KEYS=cookiesession-keys:latest
//
// Its init registers the HTTP function "Session" with the functions
// framework; the handler is built on the first request of each instance
// (a cold start) and reused by every later one.
package gcf

import (
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/cookiesession/cookiesession/serverless"
)

func init() {
	functions.HTTP("Session", handler())
}

// handler builds the session handler once, on first use.
func handler() func(http.ResponseWriter, *http.Request) {
	build := sync.OnceValues(func() (http.Handler, error) {
		return serverless.NewHandler(serverless.CloudFunctions, os.Getenv)
	})
	return func(w http.ResponseWriter, r *http.Request) {
		h, err := build()
		if err != nil {
			slog.Error("session store not configured", "err", err)
			http.Error(w, "service misconfigured", http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	}
}
