// Package interop holds the tests that run cookiesession against the
// libraries it migrates from: Express's cookie-session (1.x and 2.x, in a
// real Node.js process, see express/app.js) and gorilla/sessions'
// CookieStore. It is a module of its own so that the main module depends on
// neither.
//
// The Node.js tests need node on PATH and the packages of package-lock.json:
//
//	cd interop && npm ci && go test ./...
//
// Without them the tests are skipped, except with CI=true, where they fail.
package interop
