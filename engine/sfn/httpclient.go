package sfn

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
