package sfn

import (
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// HTTPRequest is an HTTP request the service asks its host to send (for
// the HTTP Task, and for routes that send a task to an HTTP endpoint).
type HTTPRequest struct {
	Method string
	URL    string
	// Header lists the header fields in order; a name may repeat.
	Header [][2]string
	Body   []byte
}

// HTTPResponse is what the host's HTTP client received.
type HTTPResponse struct {
	StatusCode int
	StatusText string // e.g. "OK"; empty: the standard text for StatusCode
	Header     [][2]string
	Body       []byte
}

// HTTPTaskTimeout is how long a host's client waits for an HTTP Task's
// response, as AWS does (60 s, then States.Http.Socket).
const HTTPTaskTimeout = 60 * time.Second

// MaxHTTPResponseBytes is the most a host's client reads of a response:
// the service asks for the first 256 KiB (Range: bytes=0-262144), one byte
// more than a state may pass on, so a larger body fails the state as on
// AWS.
const MaxHTTPResponseBytes = 262145

// NewHTTPResponse is the HTTPResponse for what a host's client received:
// the status code and line ("200 OK"), the header (a net/http Header is
// such a map) in a fixed order, so the task's output is the same from run
// to run, and the body, read up to MaxHTTPResponseBytes.
func NewHTTPResponse(statusCode int, status string, header map[string][]string, body io.Reader) (*HTTPResponse, error) {
	data, err := io.ReadAll(io.LimitReader(body, MaxHTTPResponseBytes))
	if err != nil {
		return nil, err
	}
	out := &HTTPResponse{StatusCode: statusCode, Body: data,
		StatusText: strings.TrimSpace(strings.TrimPrefix(status, strconv.Itoa(statusCode)))}
	for _, name := range slices.Sorted(maps.Keys(header)) {
		for _, v := range header[name] {
			out.Header = append(out.Header, [2]string{name, v})
		}
	}
	return out, nil
}

// HTTPClient sends HTTP requests for the service: net/http natively,
// fetch in the browser and the Worker. The engine never blocks on the
// network: Do starts the request and returns; done is called exactly once
// with the response, or with a non-nil error when no response arrived
// (connection refused, DNS, TLS, timeout). done must be called from
// another goroutine or a later turn of the event loop, never from inside
// Do.
type HTTPClient interface {
	Do(req *HTTPRequest, done func(*HTTPResponse, error))
}

// SetHTTPClient gives the service the host's HTTP client, for executions
// started from now on; nil means HTTP Tasks are not sent (they go on to
// mocks, or fail as an unreachable resource).
func (s *Service) SetHTTPClient(c HTTPClient) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.http = c
}
