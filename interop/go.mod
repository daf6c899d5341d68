module github.com/cookiesession/cookiesession/interop

go 1.26.0

require (
	github.com/cookiesession/cookiesession v0.0.0
	github.com/gorilla/securecookie v1.1.2
	github.com/gorilla/sessions v1.4.0
)

require (
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/cookiesession/cookiesession => ../
