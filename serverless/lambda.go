package serverless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// ErrEventFormat reports an event whose shape is not the one of the
// platform the handler was built for (EVENT_FORMAT in cmd/lambda).
var ErrEventFormat = errors.New("serverless: the event is not of the configured format")

// LambdaHandler returns the Lambda handler that serves events of platform
// p with h: the REST API adapter (payload 1.0) for RESTAPI, the payload 2.0
// adapter for HTTPAPI and FunctionURL, and ALB (this package's, not the
// upstream one) for ALBMultiValue and ALBSingleValue. It fails for
// CloudFunctions and unknown platforms.
//
// Each invocation's event is checked for p's shape before it is served,
// and one of another shape fails the invocation with an error matching
// ErrEventFormat that names both: an adapter fed another platform's event
// would not fail, but serve a request with the wrong method, path or
// cookies (a payload 2.0 event read as payload 1.0 is GET / without
// cookies). The shapes: payload 2.0 has "version": "2.0"; payload 1.0 a
// non-empty httpMethod and no requestContext.elb; ALB a
// requestContext.elb.targetGroupArn, and for ALBMultiValue
// multiValueHeaders (without them the response could carry one
// Set-Cookie line). ALBSingleValue accepts both ALB modes, as its options
// fit both: enabling multi-value headers on the target group before
// changing EVENT_FORMAT causes no failure.
func LambdaHandler(p Platform, h http.Handler) (lambda.Handler, error) {
	var inner lambda.Handler
	switch p {
	case RESTAPI:
		inner = lambda.NewHandler(httpadapter.New(h).ProxyWithContext)
	case HTTPAPI, FunctionURL:
		inner = lambda.NewHandler(httpadapter.NewV2(h).ProxyWithContext)
	case ALBMultiValue, ALBSingleValue:
		inner = lambda.NewHandler(NewALB(h).ProxyWithContext)
	default:
		return nil, fmt.Errorf("serverless: %s is not a Lambda event format (rest, http, url, alb, alb-single)", p)
	}
	return checkedHandler{p, inner}, nil
}

// checkedHandler checks each event's shape before handing it on.
type checkedHandler struct {
	p     Platform
	inner lambda.Handler
}

func (c checkedHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var ev eventShape
	if err := json.Unmarshal(payload, &ev); err == nil {
		if err := ev.check(c.p); err != nil {
			return nil, err
		}
	} // not a JSON object: the adapter's decoding reports it
	return c.inner.Invoke(ctx, payload)
}

// eventShape holds the fields that tell the event formats apart.
type eventShape struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext struct {
		ELB *struct {
			TargetGroupArn string `json:"targetGroupArn"`
		} `json:"elb"`
	} `json:"requestContext"`
	MultiValueHeaders json.RawMessage `json:"multiValueHeaders"`
}

func (e eventShape) alb() bool {
	return e.RequestContext.ELB != nil && e.RequestContext.ELB.TargetGroupArn != ""
}

func (e eventShape) multiValue() bool {
	return len(e.MultiValueHeaders) > 0 && string(e.MultiValueHeaders) != "null"
}

// check reports whether the event has p's shape.
func (e eventShape) check(p Platform) error {
	var ok bool
	var want string
	switch p {
	case RESTAPI:
		ok, want = e.HTTPMethod != "" && e.Version != "2.0" && e.RequestContext.ELB == nil,
			"an API Gateway REST API event (payload 1.0: httpMethod, no version 2.0, no requestContext.elb)"
	case HTTPAPI, FunctionURL:
		ok, want = e.Version == "2.0", `a payload 2.0 event (HTTP API or function URL: "version": "2.0")`
	case ALBMultiValue:
		ok, want = e.alb() && e.multiValue(),
			"an ALB event with multiValueHeaders (requestContext.elb.targetGroupArn, target group attribute lambda.multi_value_headers.enabled)"
	case ALBSingleValue:
		ok, want = e.alb(), "an ALB event (requestContext.elb.targetGroupArn)"
	}
	if ok {
		return nil
	}
	return fmt.Errorf("%w: EVENT_FORMAT %s expects %s, and the event is %s", ErrEventFormat, p, want, e.describe())
}

// describe names the event's shape, with the format that fits it.
func (e eventShape) describe() string {
	switch {
	case e.alb() && e.multiValue():
		return "an ALB event with multiValueHeaders (EVENT_FORMAT alb)"
	case e.alb():
		return "an ALB event without multiValueHeaders (EVENT_FORMAT alb-single)"
	case e.Version == "2.0":
		return "a payload 2.0 event (EVENT_FORMAT http or url)"
	case e.HTTPMethod != "" && e.RequestContext.ELB == nil:
		return "a payload 1.0 event (EVENT_FORMAT rest)"
	}
	return fmt.Sprintf("of none of these shapes (version %q, httpMethod %q, no requestContext.elb.targetGroupArn)", e.Version, e.HTTPMethod)
}
