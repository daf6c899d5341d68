// Package e2e holds the real-browser tests of cookiesession: each test starts
// a headless Chromium, points it at an httptest server on 127.0.0.1 and reads
// the browser's own cookie jar over the DevTools protocol, so that what is
// checked is what a browser really stores and sends back, not what a Go
// cookie jar would.
//
// The package has no code outside its tests. The helpers in harness_test.go
// (NewBrowser, Browser.Navigate, Browser.Cookies, NewServer, ...) are meant to
// be reused by every test in this module.
//
// Running: the tests need Chromium (Debian: apt-get install chromium). Set
// CHROMIUM to a binary to use another one. Without a browser the tests skip,
// except when CI=true, where they fail.
//
// TestSharedSessionGoExpress (shared_test.go) also runs the JavaScript
// package's Express middleware: it needs node and a built ../js (cd js &&
// npm ci && npm run build), and skips without them, failing when CI=true.
package e2e
