// Package bench measures cookiesession against its peers: the codec and the
// store against gorilla/securecookie, gorilla/sessions and a bare
// json+XChaCha20-Poly1305+base64 floor (go test -bench), and the HTTP stack
// against Express with cookie-session under wrk (run.sh). bench/NOTES.md
// has the method and the figures.
//
// It is a module of its own so that the peers' code stays out of the
// library's dependencies.
package bench
