package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

// The HTTP Task, arn:aws:states:::http:invoke: the service builds the
// request from the Parameters and hands it to the host's HTTPClient; the
// answer comes back later through completeTask.
//
// See https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html

func init() {
	integrations = append(integrations, integration{claims: claimsHTTP, run: (*Service).runHTTPTask})
}

// httpStatusErrorPrefix names the error of a response outside 2xx:
// States.Http.StatusCode.404 and so on.
const httpStatusErrorPrefix = "States.Http.StatusCode."

// httpMethods are the methods an HTTP Task may use.
var httpMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}

// forbiddenHTTPHeaders are the request headers AWS does not let a
// definition set (besides the x-amz-, x-amzn- and x-forwarded- prefixes).
var forbiddenHTTPHeaders = map[string]bool{
	"a-im": true, "accept-charset": true, "accept-datetime": true, "accept-encoding": true,
	"authorization": true, "cache-control": true, "connection": true, "content-encoding": true,
	"content-md5": true, "date": true, "expect": true, "forwarded": true, "from": true, "host": true,
	"http2-settings": true, "if-match": true, "if-modified-since": true, "if-none-match": true,
	"if-range": true, "if-unmodified-since": true, "max-forwards": true, "origin": true, "pragma": true,
	"proxy-authorization": true, "referer": true, "server": true, "te": true, "trailer": true,
	"transfer-encoding": true, "upgrade": true, "via": true, "warning": true,
}

// forbiddenHTTPHeader reports whether a definition may not set header name.
func forbiddenHTTPHeader(name string) bool {
	l := strings.ToLower(name)
	return forbiddenHTTPHeaders[l] || strings.HasPrefix(l, "x-amz-") || strings.HasPrefix(l, "x-amzn-") ||
		strings.HasPrefix(l, "x-forwarded-")
}

// claimsHTTP takes http:invoke when the host gave the service an HTTP
// client; without one the task goes on to the base runner (mocks).
func claimsHTTP(s *Service, _ context.Context, req *interp.TaskRequest) bool {
	return s.http != nil && req.ResourceType == "http" && req.ResourceName == "invoke" &&
		strings.HasPrefix(req.Resource, "arn:") && strings.Contains(req.Resource, ":states:")
}

// member is one member of a JSON object, in document order.
type member struct {
	Key   string
	Value json.RawMessage
}

// objectMembers splits a JSON object into its members in document order
// (map decoding would lose the order of headers and form fields); ok is
// false when raw is not an object.
func objectMembers(raw []byte) ([]member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, member{k, v})
	}
	return out, true
}

// httpTaskParams are an HTTP Task's Parameters once checked.
type httpTaskParams struct {
	endpoint    string
	method      string
	headers     []member
	query       []member
	body        json.RawMessage // nil: no body
	urlEncoded  bool
	arrayFormat string
}

// httpParamError is a Parameters shape AWS refuses to start the task with.
type httpParamError struct{ msg string }

func (e *httpParamError) Error() string { return e.msg }

func missingField(name string) error {
	return &httpParamError{fmt.Sprintf("The field \"%s\" is required but was missing", name)}
}

// parseHTTPTaskParams checks the Parameters of an HTTP Task as AWS does
// before it sends anything.
func parseHTTPTaskParams(raw []byte) (*httpTaskParams, error) {
	ms, ok := objectMembers(raw)
	if !ok {
		return nil, &httpParamError{"Parameters must be a JSON object"}
	}
	p := &httpTaskParams{arrayFormat: "INDICES"}
	var auth json.RawMessage
	var transform json.RawMessage
	seen := map[string]bool{}
	for _, m := range ms {
		seen[m.Key] = true
		switch m.Key {
		case "ApiEndpoint":
			if json.Unmarshal(m.Value, &p.endpoint) != nil {
				return nil, &httpParamError{"The value for the field 'ApiEndpoint' must be a STRING"}
			}
		case "Method":
			if json.Unmarshal(m.Value, &p.method) != nil {
				return nil, &httpParamError{"The value for the field 'Method' must be a STRING"}
			}
		case "Authentication", "InvocationConfig":
			auth = m.Value
		case "Headers":
			hs, ok := objectMembers(m.Value)
			if !ok {
				return nil, &httpParamError{"The value for the field 'Headers' must be an OBJECT"}
			}
			p.headers = hs
		case "QueryParameters":
			qs, ok := objectMembers(m.Value)
			if !ok {
				return nil, &httpParamError{"The value for the field 'QueryParameters' must be an OBJECT"}
			}
			p.query = qs
		case "RequestBody":
			p.body = m.Value
		case "Transform":
			transform = m.Value
		default:
			return nil, &httpParamError{fmt.Sprintf("The field \"%s\" is not supported by Step Functions", m.Key)}
		}
	}
	for _, f := range []string{"ApiEndpoint", "Method"} {
		if !seen[f] {
			return nil, missingField(f)
		}
	}
	if auth == nil {
		return nil, missingField("Authentication")
	}
	var a struct {
		ConnectionArn *string
	}
	if json.Unmarshal(auth, &a) != nil || a.ConnectionArn == nil {
		return nil, missingField("ConnectionArn")
	}
	if !strings.HasPrefix(*a.ConnectionArn, "arn:") || !strings.Contains(*a.ConnectionArn, ":events:") ||
		!strings.Contains(*a.ConnectionArn, ":connection/") {
		return nil, &httpParamError{fmt.Sprintf("The value '%s' for the field 'ConnectionArn' is not a valid connection ARN", *a.ConnectionArn)}
	}
	u, err := url.Parse(p.endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &httpParamError{fmt.Sprintf("The value '%s' for the field 'ApiEndpoint' is not a valid URL", p.endpoint)}
	}
	valid := false
	for _, m := range httpMethods {
		valid = valid || p.method == m
	}
	if !valid {
		return nil, &httpParamError{fmt.Sprintf("The value '%s' for the field 'Method' must be one of %s", p.method, strings.Join(httpMethods, ", "))}
	}
	for _, h := range p.headers {
		if forbiddenHTTPHeader(h.Key) {
			return nil, &httpParamError{fmt.Sprintf("The header '%s' is not supported by Step Functions", h.Key)}
		}
		if _, ok := scalarText(h.Value); !ok {
			return nil, &httpParamError{fmt.Sprintf("The value of the header '%s' must be a STRING", h.Key)}
		}
	}
	if transform != nil {
		var t struct {
			RequestBodyEncoding    *string
			RequestEncodingOptions *struct{ ArrayFormat *string }
		}
		if json.Unmarshal(transform, &t) != nil {
			return nil, &httpParamError{"The value for the field 'Transform' must be an OBJECT"}
		}
		if t.RequestBodyEncoding != nil {
			switch *t.RequestBodyEncoding {
			case "NONE":
			case "URL_ENCODED":
				p.urlEncoded = true
			default:
				return nil, &httpParamError{fmt.Sprintf("The value '%s' for the field 'RequestBodyEncoding' must be one of NONE, URL_ENCODED", *t.RequestBodyEncoding)}
			}
		}
		if o := t.RequestEncodingOptions; o != nil && o.ArrayFormat != nil {
			switch *o.ArrayFormat {
			case "INDICES", "REPEAT", "COMMAS", "BRACKETS":
				p.arrayFormat = *o.ArrayFormat
			default:
				return nil, &httpParamError{fmt.Sprintf("The value '%s' for the field 'ArrayFormat' must be one of INDICES, REPEAT, COMMAS, BRACKETS", *o.ArrayFormat)}
			}
		}
	}
	if p.urlEncoded && p.body != nil {
		if _, ok := objectMembers(p.body); !ok {
			return nil, &httpParamError{"The RequestBody must be a JSON object when RequestBodyEncoding is URL_ENCODED"}
		}
	}
	return p, nil
}

// scalarText is the text a JSON scalar stands for in a header, a query
// string or a form: a string's contents, a number or literal as written.
func scalarText(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", false
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case '{', '[':
		return "", false
	case 'n':
		return "", true
	}
	return string(v), true
}

// formEncode writes an object as application/x-www-form-urlencoded text,
// arrays in the chosen ArrayFormat and nested objects as key[sub]=value.
func formEncode(members []member, arrayFormat string) string {
	var parts []string
	var add func(key string, v json.RawMessage)
	add = func(key string, v json.RawMessage) {
		if s, ok := scalarText(v); ok {
			parts = append(parts, key+"="+url.QueryEscape(s))
			return
		}
		if ms, ok := objectMembers(v); ok {
			for _, m := range ms {
				add(key+"["+url.QueryEscape(m.Key)+"]", m.Value)
			}
			return
		}
		var items []json.RawMessage
		if json.Unmarshal(v, &items) != nil {
			return
		}
		if arrayFormat == "COMMAS" {
			texts := make([]string, 0, len(items))
			for _, it := range items {
				s, _ := scalarText(it)
				texts = append(texts, url.QueryEscape(s))
			}
			parts = append(parts, key+"="+strings.Join(texts, ","))
			return
		}
		for i, it := range items {
			switch arrayFormat {
			case "REPEAT":
				add(key, it)
			case "BRACKETS":
				add(key+"[]", it)
			default:
				add(key+"["+strconv.Itoa(i)+"]", it)
			}
		}
	}
	for _, m := range members {
		add(url.QueryEscape(m.Key), m.Value)
	}
	return strings.Join(parts, "&")
}

// httpRequest builds the request AWS would send for p: the query
// parameters appended to the endpoint, the definition's headers, then the
// ones Step Functions sets itself.
func (s *Service) httpRequest(p *httpTaskParams) *HTTPRequest {
	req := &HTTPRequest{Method: p.method, URL: p.endpoint}
	if len(p.query) > 0 {
		var qs []string
		for _, m := range p.query {
			var items []json.RawMessage
			if json.Unmarshal(m.Value, &items) != nil {
				items = []json.RawMessage{m.Value}
			}
			for _, it := range items {
				v, _ := scalarText(it)
				qs = append(qs, url.QueryEscape(m.Key)+"="+url.QueryEscape(v))
			}
		}
		sep := "?"
		if strings.Contains(req.URL, "?") {
			sep = "&"
		}
		req.URL += sep + strings.Join(qs, "&")
	}
	contentType := ""
	for _, h := range p.headers {
		v, _ := scalarText(h.Value)
		if strings.EqualFold(h.Key, "Content-Type") {
			contentType = v
			continue
		}
		req.Header = append(req.Header, [2]string{h.Key, v})
	}
	if p.body != nil {
		switch {
		case p.urlEncoded:
			ms, _ := objectMembers(p.body)
			req.Body = []byte(formEncode(ms, p.arrayFormat))
			contentType = "application/x-www-form-urlencoded"
		default:
			if str, ok := scalarText(p.body); ok && bytes.HasPrefix(bytes.TrimSpace(p.body), []byte(`"`)) {
				req.Body = []byte(str)
			} else {
				req.Body = p.body
			}
		}
		if contentType == "" {
			contentType = "application/json; charset=UTF-8"
		}
	}
	if contentType != "" {
		req.Header = append(req.Header, [2]string{"Content-Type", contentType})
	}
	req.Header = append(req.Header,
		[2]string{"User-Agent", "Amazon|StepFunctions|HttpInvoke|" + s.region},
		[2]string{"Range", "bytes=0-262144"})
	return req
}

// runHTTPTask checks the Parameters, sends the request through the host's
// client and returns Pending; the response ends the task later.
func (s *Service) runHTTPTask(_ context.Context, req *interp.TaskRequest) interp.TaskResult {
	p, err := parseHTTPTaskParams(req.Parameters)
	if err != nil {
		return interp.TaskResult{Err: states.New(states.Runtime, fmt.Sprintf(
			"An error occurred while executing the state '%s' (entered at the event id #%d). "+
				"The Parameters '%s' could not be used to start the Task: [%s]",
			req.StateName, req.StateEnteredEventID, req.Parameters, err.Error()))}
	}
	token := s.ids.UUID()
	client := s.http
	// The answer arrives from another goroutine or a later turn of the
	// event loop, never from inside Do (the HTTPClient contract), so the
	// run has recorded the pending task before completeTask looks for it.
	// Counted as host work in flight, so WaitHostTasks waits for it.
	done := s.inflight.start()
	client.Do(s.httpRequest(p), func(resp *HTTPResponse, err error) {
		defer done()
		s.completeTask(context.Background(), token, httpTaskResult(resp, err))
	})
	return interp.TaskResult{Pending: true, Token: token}
}

// httpTaskResult is the task result for what the client received: the
// response in AWS's shape, a States.Http.StatusCode.NNN error for a status
// outside 2xx, States.Http.Socket when no response arrived.
func httpTaskResult(resp *HTTPResponse, err error) interp.TaskResult {
	if err != nil || resp == nil {
		cause := "The HTTP request did not get a response."
		if err != nil {
			cause = err.Error()
		}
		return interp.TaskResult{Err: states.New(states.HTTPSocket, cause)}
	}
	out := httpTaskOutput(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return interp.TaskResult{Err: states.New(httpStatusErrorPrefix+strconv.Itoa(resp.StatusCode), string(out))}
	}
	return interp.TaskResult{Output: out}
}

// httpTaskOutput is the response as AWS passes it on: {Headers (each name
// with the list of its values), ResponseBody (parsed when the response is
// JSON, else the text), StatusCode, StatusText}.
func httpTaskOutput(resp *HTTPResponse) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Headers":{`)
	var names []string
	values := map[string][]string{}
	contentType := ""
	for _, h := range resp.Header {
		n := strings.ToLower(h[0])
		if _, ok := values[n]; !ok {
			names = append(names, n)
		}
		values[n] = append(values[n], h[1])
		if n == "content-type" {
			contentType = strings.ToLower(h[1])
		}
	}
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		v, _ := json.Marshal(values[n])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteString(`},"ResponseBody":`)
	media, _, _ := strings.Cut(contentType, ";")
	media = strings.TrimSpace(media)
	isJSON := media == "application/json" || strings.HasSuffix(media, "+json")
	if c, ok := jsonpath.Compact(bytes.TrimSpace(resp.Body)); isJSON && ok {
		b.Write(c)
	} else {
		t, _ := json.Marshal(string(resp.Body))
		b.Write(t)
	}
	text := resp.StatusText
	if text == "" {
		text = statusText[resp.StatusCode]
	}
	st, _ := json.Marshal(text)
	fmt.Fprintf(&b, `,"StatusCode":%d,"StatusText":%s}`, resp.StatusCode, st)
	return b.Bytes()
}

// statusText is the reason phrase of the common statuses, for clients
// that do not report one (net/http is not imported by the engine).
var statusText = map[int]string{
	200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
	205: "Reset Content", 206: "Partial Content", 300: "Multiple Choices", 301: "Moved Permanently",
	302: "Found", 303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
	411: "Length Required", 412: "Precondition Failed", 413: "Content Too Large", 414: "URI Too Long",
	415: "Unsupported Media Type", 416: "Range Not Satisfiable", 417: "Expectation Failed",
	418: "I'm a teapot", 422: "Unprocessable Content", 425: "Too Early", 426: "Upgrade Required",
	428: "Precondition Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
	451: "Unavailable For Legal Reasons", 500: "Internal Server Error", 501: "Not Implemented",
	502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
}
