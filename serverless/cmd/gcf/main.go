// Command gcf runs the Cloud Function of package gcf on the functions
// framework's local server, as "go run ./cmd/gcf" does during development:
// FUNCTION_TARGET=Session serves it at "/", PORT chooses the port (8080),
// and LOCAL_ONLY=true listens on 127.0.0.1 only.
package main

import (
	"log"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	_ "github.com/cookiesession/cookiesession/serverless/gcf"
)

func main() {
	port := "8080"
	if p := os.Getenv("PORT"); p != "" {
		port = p
	}
	host := ""
	if os.Getenv("LOCAL_ONLY") == "true" {
		host = "127.0.0.1"
	}
	if err := funcframework.StartHostPort(host, port); err != nil {
		log.Fatalf("funcframework: %v", err)
	}
}
