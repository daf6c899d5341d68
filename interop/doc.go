// Package interop holds the tests that run cookiesession against the
// libraries it migrates from: Express's cookie-session (1.x and 2.x, in a
// real Node.js process, see express/app.js) and gorilla/sessions'
// CookieStore; and against the JavaScript package in ../js, the second
// implementation of the sealed format (format_test.go, roundtrip_test.go,
// through jsdriver.mjs; its Express middleware in express/app.js's
// "sealed" profile). It is a module of its own so that the main module
// depends on none of them.
//
// The Node.js tests need node on PATH, the packages of package-lock.json
// and the built JavaScript package:
//
//	cd interop && npm ci && cd ../js && npm ci && npm run build && cd ../interop && go test ./...
//
// Without them the tests are skipped, except with CI=true, where they fail.
package interop
