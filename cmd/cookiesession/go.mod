module github.com/cookiesession/cookiesession/cmd/cookiesession

go 1.26.0

// The replace lines build the command from this repository's root and
// redisrevoke. go install ...@version refuses a module whose go.mod has a
// replace line, so a release tag cmd/cookiesession/vX.Y.Z is put on a
// commit whose go.mod drops them and requires the tagged root and
// redisrevoke versions.
replace (
	github.com/cookiesession/cookiesession => ../..
	github.com/cookiesession/cookiesession/redisrevoke => ../../redisrevoke
)

require (
	github.com/cookiesession/cookiesession v0.0.0
	github.com/cookiesession/cookiesession/redisrevoke v0.0.0
	github.com/gorilla/securecookie v1.1.2
	github.com/redis/go-redis/v9 v9.23.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
