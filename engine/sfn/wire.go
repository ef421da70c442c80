package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

// The wire protocol of the Step Functions API, AWS JSON 1.0, without the
// transport: every host (the CLI's HTTP server, the Cloudflare Worker)
// copies a request's method, X-Amz-Target, Content-Type and body into a
// WireRequest, calls ServeWire and writes the WireResponse back, so all
// hosts answer byte for byte alike. No net/http here.
//
// AWS's front end (Coral) checks a request in a fixed order, and so does
// ServeWire: the method and content type (404 UnknownOperationException),
// the body's JSON (400 SerializationException), the X-Amz-Target
// operation (400 UnknownOperationException), the signature (the host's
// WireRequest.Authenticate), an empty body (400 SerializationException),
// then the operation itself. Coral's own exceptions carry its namespace
// in __type ("com.amazon.coral.service#SerializationException") and, for
// the body and target checks, no message; every SDK keeps the part after
// '#' (botocore's JSON error parser, aws-sdk-go-v2's SanitizeErrorCode).
// Observed AWS behaviour recorded by dynalite (github.com/mhart/dynalite),
// and for Step Functions itself the bare SerializationException body
// quoted in serverless-operations/serverless-step-functions#140.

// MaxRequestBytes bounds a request body: the largest AWS request (an
// execution input or task output of 256 KiB, JSON-escaped, plus the other
// members) fits. Hosts read at most MaxRequestBytes+1 bytes so that
// ServeWire sees an oversized body.
const MaxRequestBytes = 2 << 20

// ActivityPollWait is how long AWS holds a GetActivityTask long poll
// open before answering with no task. The engine reads no clock: hosts
// bound the context they pass to ServeWire with it.
const ActivityPollWait = 60 * time.Second

// WireContentType is the Content-Type of every API response (and of the
// requests AWS SDKs send).
const WireContentType = "application/x-amz-json-1.0"

// wireTargetPrefix precedes the operation name in X-Amz-Target.
const wireTargetPrefix = "AWSStepFunctions."

// The exception names of AWS's front end, answered before an operation runs.
const (
	// CodeMissingAuthenticationToken: a request without an Authorization
	// header when the host verifies signatures.
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	// CodeIncompleteSignature: an Authorization header that lacks a part.
	CodeIncompleteSignature = "IncompleteSignatureException"
	// CodeInvalidSignature: a signature that does not match, or expired.
	CodeInvalidSignature = "InvalidSignatureException"
	// CodeUnrecognizedClient: an access key the host does not know.
	CodeUnrecognizedClient = "UnrecognizedClientException"
	// CodeRequestEntityTooLarge: a body over MaxRequestBytes.
	CodeRequestEntityTooLarge = "RequestEntityTooLargeException"
)

// coralNamespace is the __type prefix of the front end's own exceptions.
const coralNamespace = "com.amazon.coral.service#"

// coralCodes are the exceptions AWS answers with coralNamespace in __type.
var coralCodes = map[string]bool{
	CodeSerialization: true, CodeUnknownOperation: true, CodeInternalFailure: true,
	CodeMissingAuthenticationToken: true, CodeIncompleteSignature: true,
	CodeInvalidSignature: true, CodeUnrecognizedClient: true, CodeRequestEntityTooLarge: true,
}

// WireRequest is one API request as a host received it.
type WireRequest struct {
	// Method is the HTTP method; the API answers POST only.
	Method string
	// Target is the X-Amz-Target header: "AWSStepFunctions.<Operation>".
	Target string
	// ContentType is the Content-Type header; application/x-amz-json-1.0
	// (what the SDKs send), application/x-amz-json-1.1 and
	// application/json are accepted, with or without parameters.
	ContentType string
	// Body is the request body, read up to MaxRequestBytes+1 bytes.
	Body []byte
	// Authenticate, if set, verifies the request's signature once the body
	// and target are known to be well formed (AWS checks those first); a
	// non-nil *Error is the answer. Nil accepts every request.
	Authenticate func() *Error
}

// WireResponse is the answer to a WireRequest. Hosts write Status, the
// Headers and Body; Operation and ErrorCode are for their logs.
type WireResponse struct {
	Status int
	// RequestID goes into the x-amzn-RequestId header of every response,
	// success or error: a UUID from the service's IDs.
	RequestID string
	// Body is the operation's JSON response, or the error
	// {"__type": ..., "message": ...}; always a JSON object.
	Body []byte
	// Operation is the operation named by the target ("" if none).
	Operation string
	// ErrorCode is the exception name answered ("" on success), without
	// the namespace __type may carry.
	ErrorCode string
}

// Headers returns the response headers hosts set: Content-Type and
// x-amzn-RequestId.
func (r WireResponse) Headers() map[string]string {
	return map[string]string{"Content-Type": WireContentType, "x-amzn-RequestId": r.RequestID}
}

// ServeWire answers one request of the AWS JSON 1.0 protocol as AWS does
// (see the order above). GetActivityTask long-polls until a task is
// waiting or ctx ends, so hosts bound ctx (ActivityPollWait); every other
// operation is Invoke. It never panics and always answers a JSON body.
// Safe for concurrent use.
func (s *Service) ServeWire(ctx context.Context, req WireRequest) (resp WireResponse) {
	id := s.requestID()
	defer func() {
		if r := recover(); r != nil {
			resp = wireError(id, 0, &Error{Code: CodeInternalFailure, Message: fmt.Sprintf("internal failure: %v", r)})
		}
	}()
	op, _ := strings.CutPrefix(req.Target, wireTargetPrefix)
	if op == req.Target {
		op = ""
	}
	fail := func(status int, e *Error) WireResponse {
		r := wireError(id, status, e)
		r.Operation = op
		return r
	}
	switch {
	case len(req.Body) > MaxRequestBytes:
		return fail(413, &Error{Code: CodeRequestEntityTooLarge, Message: fmt.Sprintf("Request body exceeds %d bytes", MaxRequestBytes)})
	case req.Method != "POST", len(req.Body) > 0 && !wireMediaType(req.ContentType):
		return fail(404, &Error{Code: CodeUnknownOperation})
	case len(req.Body) > 0 && !jsonObject(req.Body):
		return fail(400, &Error{Code: CodeSerialization})
	}
	if _, ok := operations[op]; !ok {
		return fail(400, &Error{Code: CodeUnknownOperation})
	}
	if req.Authenticate != nil {
		if e := req.Authenticate(); e != nil {
			return fail(0, e)
		}
	}
	if len(req.Body) == 0 {
		return fail(400, &Error{Code: CodeSerialization})
	}
	var body []byte
	var err error
	if op == "GetActivityTask" {
		body, err = s.PollActivityTask(ctx, req.Body)
	} else {
		body, err = s.Invoke(ctx, op, req.Body)
	}
	if err != nil {
		e := &Error{Code: CodeInternalFailure, Message: err.Error()}
		errors.As(err, &e)
		return fail(0, e)
	}
	return WireResponse{Status: 200, RequestID: id, Body: body, Operation: op}
}

// WireError is the response to a request refused before it reached
// ServeWire, e.g. by a host's own checks: e's status and body, with a
// request id from the service's IDs.
func (s *Service) WireError(e *Error) WireResponse {
	return wireError(s.requestID(), 0, e)
}

// requestID returns a fresh request id; IDs are used under the lock, as
// everywhere else in the service.
func (s *Service) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids.UUID()
}

// wireError encodes e as AWS does; status 0 takes e's own (HTTPStatus).
func wireError(id string, status int, e *Error) WireResponse {
	if status == 0 {
		status = e.HTTPStatus()
	}
	typ := e.Code
	if coralCodes[typ] {
		typ = coralNamespace + typ
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if e.Message == "" {
		enc.Encode(struct {
			Type string `json:"__type"`
		}{typ})
	} else {
		enc.Encode(struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}{typ, e.Message})
	}
	return WireResponse{Status: status, RequestID: id, Body: bytes.TrimSuffix(buf.Bytes(), []byte("\n")), ErrorCode: e.Code}
}

// wireMediaType reports whether a Content-Type names a JSON body the API
// reads: AWS JSON 1.0 or 1.1, or plain application/json, any parameters
// (charset) ignored, case-insensitively.
func wireMediaType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json":
		return true
	}
	return false
}

// jsonObject reports whether b is one valid JSON object.
func jsonObject(b []byte) bool {
	return jsonpath.Valid(b) && bytes.TrimLeft(b, " \t\r\n")[0] == '{'
}
