// Package cookie is the single home of cookie syntax, as net/http keeps
// it in cookie.go: which names, paths and domains a browser takes
// (name.go, attribute.go), the RFC 9110 token grammar (token.go), the
// Set-Cookie lines (setcookie.go) and the scanning of Cookie header lines
// with the cap on the pairs a reader examines (scan.go). It knows nothing
// of sessions: chunk names and budgets are package chunks'.
package cookie
