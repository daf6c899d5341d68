package serverless

import (
	"context"
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// ALB serves ALB target group events with an http.Handler, in both modes of
// the target group attribute lambda.multi_value_headers.enabled.
//
// It exists because the upstream adapter (httpadapter.NewALB of
// aws-lambda-go-api-proxy v0.16.2) always answers with multiValueHeaders
// and leaves headers empty. A target group without multi-value headers
// reads only headers, so none of the handler's headers, Set-Cookie
// included, reach the client: the session is lost on every response,
// without an error anywhere. ALB answers in the mode the event came in (an
// event with multiValueHeaders comes from a target group that has them),
// and in single-value mode refuses a response with more than one
// Set-Cookie line instead of dropping all but one.
type ALB struct {
	handler  http.Handler
	accessor core.RequestAccessorALB
}

// NewALB returns an adapter that serves events with h.
func NewALB(h http.Handler) *ALB { return &ALB{handler: h} }

// ProxyWithContext converts the event into an *http.Request (with the
// upstream adapter's request conversion), serves it, and converts the
// response for the target group's mode. In single-value mode, a response
// with several Set-Cookie lines fails with a *PlatformError, and the
// invocation fails (the client gets the load balancer's 502), rather than
// losing a cookie.
func (a *ALB) ProxyWithContext(ctx context.Context, ev events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	req, err := a.accessor.EventToRequestWithContext(ctx, ev)
	if err != nil {
		return events.ALBTargetGroupResponse{}, fmt.Errorf("serverless: converting the ALB event: %w", err)
	}
	if req.Host == "" {
		// In multi-value mode the upstream conversion looks for the host
		// in the single-value map, which is absent.
		req.Host = req.Header.Get("Host")
	}
	w := core.NewProxyResponseWriterALB()
	a.handler.ServeHTTP(w, req)
	resp, err := w.GetProxyResponse()
	if err != nil {
		return resp, fmt.Errorf("serverless: building the ALB response: %w", err)
	}
	if ev.MultiValueHeaders != nil {
		return resp, nil
	}
	return singleValue(resp)
}

// singleValue moves a response's headers from multiValueHeaders to headers,
// one value per name. Names that differ only in case are one header (RFC
// 9110 §5.1), merged under the canonical name. Values of a repeated header
// other than Set-Cookie are joined with ", " (RFC 9110 §5.3); Set-Cookie
// lines cannot be (RFC 6265 §3), so more than one is an error.
func singleValue(resp events.ALBTargetGroupResponse) (events.ALBTargetGroupResponse, error) {
	names := make([]string, 0, len(resp.MultiValueHeaders))
	for name := range resp.MultiValueHeaders {
		names = append(names, name)
	}
	slices.Sort(names) // a fixed order for the values of case variants
	merged := make(map[string][]string, len(names))
	for _, name := range names {
		key := textproto.CanonicalMIMEHeaderKey(name)
		merged[key] = append(merged[key], resp.MultiValueHeaders[name]...)
	}
	headers := make(map[string]string, len(merged))
	for name, values := range merged {
		if name == "Set-Cookie" && len(values) > 1 {
			return events.ALBTargetGroupResponse{}, &PlatformError{ALBSingleValue, fmt.Sprintf(
				"the response has %d Set-Cookie lines and a target group without multi-value headers returns one; "+
					"enable lambda.multi_value_headers.enabled, or use MaxChunks 1 and no legacy migration (CheckOptions)", len(values))}
		}
		headers[name] = strings.Join(values, ", ")
	}
	resp.Headers, resp.MultiValueHeaders = headers, nil
	return resp, nil
}
