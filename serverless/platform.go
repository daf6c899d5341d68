// Package serverless runs a cookiesession store on function platforms:
// AWS Lambda behind API Gateway REST APIs (payload 1.0), HTTP APIs
// (payload 2.0), function URLs and Application Load Balancers, and Google
// Cloud Functions.
//
// The handler is an ordinary http.Handler wrapped by the store's middleware.
// The Lambda entry point (cmd/lambda) hands it to the adapters of
// github.com/awslabs/aws-lambda-go-api-proxy, except for ALB targets, where
// ALB in this package replaces the upstream adapter (see its doc); the Cloud
// Functions entry point (package gcf) registers it with the functions
// framework.
//
// Each platform carries Set-Cookie lines its own way, and this library often
// writes several on one response: every chunk of a chunked session, the
// deletion of chunks no longer needed, the expiry of an upgraded Express
// session's two cookies. A platform that returns only one (an ALB target
// group without multi-value headers) is refused at startup by CheckOptions
// for options that need more, and ALB fails an invocation that would lose
// a cookie; it drops (and logs) only the deletions of stray chunk cookies,
// which the store ignores when it reads. docs/SERVERLESS.md in the repository
// explains the event shapes, the header budgets and the settings that fit.
package serverless

import (
	"errors"
	"fmt"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
)

// Platform names where the function runs and which event format reaches it.
type Platform uint8

const (
	// RESTAPI is an API Gateway REST API with a Lambda proxy integration
	// (payload format 1.0): Set-Cookie lines go in multiValueHeaders.
	RESTAPI Platform = iota + 1
	// HTTPAPI is an API Gateway HTTP API (payload format 2.0): cookies
	// arrive in the event's cookies array and leave in the response's.
	HTTPAPI
	// FunctionURL is a Lambda function URL: the payload 2.0 shape.
	FunctionURL
	// ALBMultiValue is an ALB target group with the attribute
	// lambda.multi_value_headers.enabled set to true.
	ALBMultiValue
	// ALBSingleValue is an ALB target group without multi-value headers
	// (the default): one value per header name, so one Set-Cookie line.
	ALBSingleValue
	// CloudFunctions is a Google Cloud Function (HTTP trigger), served by
	// the functions framework.
	CloudFunctions
)

var platformNames = [...]string{
	RESTAPI:        "rest",
	HTTPAPI:        "http",
	FunctionURL:    "url",
	ALBMultiValue:  "alb",
	ALBSingleValue: "alb-single",
	CloudFunctions: "gcf",
}

// String returns the platform's short name, as ParsePlatform reads it.
func (p Platform) String() string {
	if int(p) < len(platformNames) && platformNames[p] != "" {
		return platformNames[p]
	}
	return fmt.Sprintf("Platform(%d)", uint8(p))
}

// ParsePlatform reads a platform's short name: rest, http, url, alb,
// alb-single or gcf.
func ParsePlatform(s string) (Platform, error) {
	for p, name := range platformNames {
		if name != "" && name == s {
			return Platform(p), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown platform %q (rest, http, url, alb, alb-single, gcf)", ErrPlatform, s)
}

// OneSetCookie reports whether the platform returns at most one
// Set-Cookie line per response.
func (p Platform) OneSetCookie() bool { return p == ALBSingleValue }

// HeaderBudget returns the bytes of request headers the platform accepts in
// all (API Gateway: request line and headers; ALB: 64 KB in all, 16 KB per
// header), or 0 where no published figure is known (function URLs, Cloud
// Functions). Sources are in docs/LIMITS.md.
func (p Platform) HeaderBudget() int {
	switch p {
	case RESTAPI, HTTPAPI:
		return 10240
	case ALBMultiValue, ALBSingleValue:
		return 64 << 10
	}
	return 0
}

// ErrPlatform reports options or a response that the platform cannot carry.
var ErrPlatform = errors.New("serverless: the platform cannot carry this session")

// PlatformError says what a platform cannot carry and what to change. It
// matches ErrPlatform.
type PlatformError struct {
	Platform Platform
	// Reason says what is missing and how to fix it.
	Reason string
}

func (e *PlatformError) Error() string {
	return fmt.Sprintf("serverless: %s: %s", e.Platform, e.Reason)
}

// Is reports whether target is ErrPlatform.
func (e *PlatformError) Is(target error) bool { return target == ErrPlatform }

// CheckOptions refuses options that need more than the platform carries: on
// a platform with one Set-Cookie line per response, chunking (MaxChunks > 1:
// a session saved in two chunks needs two lines that set a value) and legacy
// migrations (an upgrade expires the old cookies on the same response, and
// a lost expiry would leave the old session in the browser). The deletions
// of stray chunk cookies a save also writes need no second line: ALB drops
// them (the store ignores such cookies when it reads). Call it at startup,
// before serving.
func CheckOptions(p Platform, o cookiesession.Options) error {
	if _, err := ParsePlatform(p.String()); err != nil {
		return err
	}
	if !p.OneSetCookie() {
		return nil
	}
	const multi = "enable the target group attribute lambda.multi_value_headers.enabled and use platform alb"
	switch {
	case o.MaxChunks > 1:
		return &PlatformError{p, fmt.Sprintf("MaxChunks %d lets a session be saved in several cookies, one Set-Cookie line each, and this platform returns one line per response; use MaxChunks 1, or %s", o.MaxChunks, multi)}
	case len(o.Legacy) > 0:
		return &PlatformError{p, "a legacy upgrade expires the old session's cookies on the response that sets the new one, and this platform returns one Set-Cookie line; remove Legacy, or " + multi}
	}
	return nil
}

// StoreOptions returns the size settings that fit the platform's header
// budget, for a cookie named "__Host-session" with Secure set by
// SecureTerminated (every platform here terminates TLS before the function
// runs). Keys and everything else are left for the caller.
//
// API Gateway's 10,240 bytes cover the request line and every header, so
// the session gets the default 6,144 bytes (3 chunks of at most 2,048) and
// the browser's other headers keep 4 KB. ALB takes 16 KB in one header: 3
// chunks of 4,092 (12,288 bytes). An ALB target without multi-value headers
// gets one cookie. Elsewhere, the default 6,144 bytes in 3 chunks.
func StoreOptions(p Platform) cookiesession.Options {
	o := cookiesession.Options{
		Name:          "__Host-session",
		Secure:        cookiesession.SecureTerminated,
		MaxChunks:     3,
		MaxTotalBytes: bounds.DefaultMaxTotalBytes,
	}
	switch p {
	case RESTAPI, HTTPAPI:
		o.MaxCookieBytes = 2048
	case ALBMultiValue:
		o.MaxTotalBytes = 12288
	case ALBSingleValue:
		o.MaxChunks, o.MaxTotalBytes = 1, 0
	default:
		o.MaxCookieBytes = 2048
	}
	return o
}
