package serverless_test

// The platforms as tests see them: each builds the event JSON the platform
// sends for a browser request (field names and placement as in the AWS
// documentation's examples: "Working with AWS Lambda proxy integrations for
// HTTP APIs", "Set up Lambda proxy integrations in API Gateway", "Lambda
// functions as targets", "Invoking Lambda function URLs"), and reads the
// response JSON the way the platform does, giving the Set-Cookie lines the
// browser receives.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/cookiesession/cookiesession/serverless"
)

// request is what the browser asks.
type request struct {
	method, path, query, body string
}

// response is what the browser gets.
type response struct {
	status     int
	setCookies []string
	body       string
}

// platform is one way a request reaches a Lambda function.
type platform struct {
	name    string
	p       serverless.Platform
	adapter func(http.Handler) lambda.Handler
	event   func(req request, cookieLines []string) any
	deliver func(t testing.TB, raw []byte) response
}

const (
	apiDomain = "abc123defg.execute-api.eu-west-1.amazonaws.com"
	urlDomain = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws"
	albHost   = "sessions-alb-1234567890.eu-west-1.elb.amazonaws.com"
	userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36"
)

func restAdapter(h http.Handler) lambda.Handler {
	return lambda.NewHandler(httpadapter.New(h).ProxyWithContext)
}
func v2Adapter(h http.Handler) lambda.Handler {
	return lambda.NewHandler(httpadapter.NewV2(h).ProxyWithContext)
}
func albAdapter(h http.Handler) lambda.Handler {
	return lambda.NewHandler(serverless.NewALB(h).ProxyWithContext)
}

// platforms are the Lambda paths of the issue. cookieLines are the Cookie
// header lines the browser sent (one over HTTP/1.1; HTTP/2 may send one
// per cookie).
func platforms() []platform {
	return []platform{
		{"RESTv1", serverless.RESTAPI, restAdapter, func(r request, c []string) any { return restEvent(r, c, true) }, deliverREST},
		{"RESTv1HeadersOnly", serverless.RESTAPI, restAdapter, func(r request, c []string) any { return restEvent(r, c, false) }, deliverREST},
		{"HTTPAPIv2", serverless.HTTPAPI, v2Adapter, func(r request, c []string) any { return v2Event(r, c, apiDomain) }, deliverV2},
		{"FunctionURL", serverless.FunctionURL, v2Adapter, func(r request, c []string) any { return v2Event(r, c, urlDomain) }, deliverURL},
		{"ALBMultiValue", serverless.ALBMultiValue, albAdapter, func(r request, c []string) any { return albEvent(r, c, true) }, deliverALBMulti},
	}
}

// restEvent is an API Gateway REST API proxy event (payload 1.0): headers
// holds the last value of each header, multiValueHeaders all of them.
// Without multiValueHeaders it is the shape of a test event or of an
// invoker that fills only headers.
func restEvent(r request, cookieLines []string, multi bool) any {
	mv := map[string][]string{
		"Host":              {apiDomain},
		"User-Agent":        {userAgent},
		"X-Forwarded-For":   {"203.0.113.7"},
		"X-Forwarded-Port":  {"443"},
		"X-Forwarded-Proto": {"https"},
	}
	if len(cookieLines) > 0 {
		mv["Cookie"] = cookieLines
	}
	if r.body != "" {
		mv["Content-Type"] = []string{"text/plain"}
	}
	ev := map[string]any{
		"resource": "/{proxy+}", "path": r.path, "httpMethod": r.method,
		"headers": last(mv), "multiValueHeaders": mv,
		"queryStringParameters": nil, "multiValueQueryStringParameters": nil,
		"pathParameters": map[string]string{"proxy": strings.TrimPrefix(r.path, "/")},
		"stageVariables": nil,
		"requestContext": map[string]any{
			"resourceId": "2gxmpl", "resourcePath": "/{proxy+}", "httpMethod": r.method,
			"path": "/prod" + r.path, "accountId": "123456789012", "protocol": "HTTP/1.1",
			"stage": "prod", "domainPrefix": "abc123defg", "domainName": apiDomain,
			"apiId": "abc123defg", "requestId": "e0a8d5c4-1b1f-4b9e-9c3e-6f3b1c2d4e5f",
			"requestTimeEpoch": time.Now().UnixMilli(),
			"identity":         map[string]any{"sourceIp": "203.0.113.7", "userAgent": userAgent},
		},
		"body": nullable(r.body), "isBase64Encoded": false,
	}
	if !multi {
		delete(ev, "multiValueHeaders")
	}
	if r.query != "" {
		q, _ := url.ParseQuery(r.query)
		ev["queryStringParameters"], ev["multiValueQueryStringParameters"] = lastQ(q), map[string][]string(q)
	}
	return ev
}

// v2Event is an HTTP API (payload 2.0) or function URL event: every Cookie
// line the browser sent is split into the cookies array, and the headers
// carry no cookie.
func v2Event(r request, cookieLines []string, domain string) any {
	headers := map[string]string{
		"host": domain, "user-agent": userAgent, "x-forwarded-for": "203.0.113.7",
		"x-forwarded-port": "443", "x-forwarded-proto": "https",
		"x-amzn-trace-id": "Root=1-6761a2b3-0123456789abcdef01234567",
	}
	if r.body != "" {
		headers["content-type"] = "text/plain"
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": r.path, "rawQueryString": r.query,
		"headers": headers,
		"requestContext": map[string]any{
			"accountId": "123456789012", "apiId": strings.SplitN(domain, ".", 2)[0],
			"domainName": domain, "domainPrefix": strings.SplitN(domain, ".", 2)[0],
			"http": map[string]string{
				"method": r.method, "path": r.path, "protocol": "HTTP/1.1",
				"sourceIp": "203.0.113.7", "userAgent": userAgent,
			},
			"requestId": "JKJaXmPLvHcESHA=", "routeKey": "$default", "stage": "$default",
			"time": time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"), "timeEpoch": time.Now().UnixMilli(),
		},
		"body": r.body, "isBase64Encoded": false,
	}
	var cookies []string
	for _, line := range cookieLines {
		for _, c := range strings.Split(line, ";") {
			cookies = append(cookies, strings.TrimSpace(c))
		}
	}
	if len(cookies) > 0 {
		ev["cookies"] = cookies
	}
	if r.query != "" {
		q, _ := url.ParseQuery(r.query)
		ev["queryStringParameters"] = lastQ(q)
	}
	return ev
}

// albEvent is an ALB target group event, with or without the target group
// attribute lambda.multi_value_headers.enabled: header names in lower case,
// either headers or multiValueHeaders, never both, and the query string's
// keys and values as the client sent them (ALB does not decode them).
func albEvent(r request, cookieLines []string, multi bool) any {
	mv := map[string][]string{
		"host": {albHost}, "user-agent": {userAgent}, "x-forwarded-for": {"203.0.113.7"},
		"x-forwarded-port": {"443"}, "x-forwarded-proto": {"https"},
		"x-amzn-trace-id": {"Root=1-6761a2b3-0123456789abcdef01234567"},
	}
	if len(cookieLines) > 0 {
		mv["cookie"] = cookieLines
	}
	ev := map[string]any{
		"requestContext": map[string]any{"elb": map[string]string{
			"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/sessions/73e2d6bc24d8a067",
		}},
		"httpMethod": r.method, "path": r.path, "body": r.body, "isBase64Encoded": false,
	}
	q := rawParams(r.query)
	if multi {
		ev["multiValueHeaders"], ev["multiValueQueryStringParameters"] = mv, map[string][]string(q)
	} else {
		ev["headers"], ev["queryStringParameters"] = last(mv), lastQ(q)
	}
	return ev
}

// rawParams splits a query string into its keys and values without
// decoding them, as ALB passes them.
func rawParams(query string) url.Values {
	q := url.Values{}
	for _, pair := range strings.Split(query, "&") {
		if pair != "" {
			k, v, _ := strings.Cut(pair, "=")
			q[k] = append(q[k], v)
		}
	}
	return q
}

func last(mv map[string][]string) map[string]string {
	m := make(map[string]string, len(mv))
	for k, v := range mv {
		m[k] = v[len(v)-1]
	}
	return m
}

func lastQ(q url.Values) map[string]string { return last(q) }

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// lambdaResponse is the union of the response fields the platforms read.
type lambdaResponse struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
}

func decode(t testing.TB, raw []byte) lambdaResponse {
	t.Helper()
	var r lambdaResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, raw)
	}
	return r
}

func setCookieHeader(m map[string]string) []string {
	for k, v := range m {
		if strings.EqualFold(k, "Set-Cookie") {
			return []string{v}
		}
	}
	return nil
}

func setCookieMulti(m map[string][]string) []string {
	var lines []string
	for k, v := range m {
		if strings.EqualFold(k, "Set-Cookie") {
			lines = append(lines, v...)
		}
	}
	return lines
}

// deliverREST merges headers and multiValueHeaders, as API Gateway does.
func deliverREST(t testing.TB, raw []byte) response {
	r := decode(t, raw)
	lines := setCookieMulti(r.MultiValueHeaders)
	if len(lines) == 0 {
		lines = setCookieHeader(r.Headers)
	}
	return response{r.StatusCode, lines, r.Body}
}

// deliverV2 turns each entry of cookies into one Set-Cookie line; a
// set-cookie in headers would be one more line.
func deliverV2(t testing.TB, raw []byte) response {
	r := decode(t, raw)
	return response{r.StatusCode, append(r.Cookies, setCookieHeader(r.Headers)...), r.Body}
}

// deliverURL is deliverV2: function URLs ignore multiValueHeaders.
func deliverURL(t testing.TB, raw []byte) response { return deliverV2(t, raw) }

// deliverALBMulti reads multiValueHeaders only.
func deliverALBMulti(t testing.TB, raw []byte) response {
	r := decode(t, raw)
	return response{r.StatusCode, setCookieMulti(r.MultiValueHeaders), r.Body}
}

// deliverALBSingle reads headers only: one value per name.
func deliverALBSingle(t testing.TB, raw []byte) response {
	r := decode(t, raw)
	return response{r.StatusCode, setCookieHeader(r.Headers), r.Body}
}

// invoke sends one event through the real aws-lambda-go handler and returns
// the response as the platform delivers it, or the invocation's error.
func invoke(t testing.TB, pl platform, h lambda.Handler, req request, j *jar) (response, error) {
	t.Helper()
	payload, err := json.Marshal(pl.event(req, j.lines()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := h.Invoke(ctx, payload)
	if err != nil {
		return response{}, err
	}
	resp := pl.deliver(t, raw)
	j.apply(t, resp.setCookies)
	return resp, nil
}
