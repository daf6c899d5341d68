// Command lambda is the function's Lambda bootstrap: build it with
//
//	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/lambda
//
// and deploy it on the provided.al2023 runtime. EVENT_FORMAT says which
// event reaches it: rest (API Gateway REST API, payload 1.0), http (HTTP
// API, payload 2.0), url (function URL), alb (ALB target group with
// multi-value headers) or alb-single (without). COOKIESESSION_KEYS holds the
// keys (from a secrets manager); COOKIESESSION_EXPRESS_KEYS, if set, the
// Express cookie-session keys whose sessions are upgraded. An event of
// another format than EVENT_FORMAT fails its invocation with an error that
// names both (serverless.LambdaHandler).
//
// Every response carries X-Instance-Invocations, the number of invocations
// this instance has served: 1 on a cold start.
package main

import (
	"log"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cookiesession/cookiesession/serverless"
)

func main() {
	// Everything here runs once per cold start, in Lambda's init phase.
	p, err := serverless.ParsePlatform(os.Getenv("EVENT_FORMAT"))
	if err != nil {
		log.Fatal(err)
	}
	h, err := serverless.NewHandler(p, os.Getenv)
	if err != nil {
		log.Fatal(err) // a failed init: Lambda reports it and retries the cold start
	}
	lh, err := serverless.LambdaHandler(p, counted(h))
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(lh) // a lambda.Handler is used as it is
}

// counted numbers the invocations this instance serves.
func counted(h http.Handler) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Instance-Invocations", strconv.FormatInt(n.Add(1), 10))
		h.ServeHTTP(w, r)
	})
}
