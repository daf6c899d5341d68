package cookiesession

// A session's flash messages are a flash.Set (internal/flash), sealed in
// its envelope; the Session methods that add and read them are in
// session.go.

import "github.com/cookiesession/cookiesession/internal/flash"

// flashSet is a session's flash messages.
type flashSet = flash.Set
