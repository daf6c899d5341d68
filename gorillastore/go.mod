module github.com/cookiesession/cookiesession/gorillastore

go 1.26.0

replace github.com/cookiesession/cookiesession => ../

require (
	github.com/cookiesession/cookiesession v0.0.0-00010101000000-000000000000
	github.com/gorilla/sessions v1.4.0
	github.com/markbates/goth v1.82.0
)

require (
	github.com/go-chi/chi/v5 v5.2.2 // indirect
	github.com/gorilla/context v1.1.1 // indirect
	github.com/gorilla/mux v1.6.2 // indirect
	github.com/gorilla/securecookie v1.1.2 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/oauth2 v0.27.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
