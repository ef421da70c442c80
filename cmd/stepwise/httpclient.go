//go:build !js

package main

import (
	"bytes"
	"io"
	"net/http"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// netHTTPClient sends the service's HTTP requests (HTTP Tasks, HTTP
// routes) with net/http, one goroutine per request. The service counts
// them as host work in flight, so `stepwise run` waits for their answers
// (sfn.Service.WaitHostTasks) before it reports.
type netHTTPClient struct {
	client *http.Client
}

// newHTTPClient returns the CLI's HTTP client.
func newHTTPClient() *netHTTPClient {
	return &netHTTPClient{client: &http.Client{Timeout: sfn.HTTPTaskTimeout}}
}

// Do sends req on its own goroutine and calls done with the answer.
func (c *netHTTPClient) Do(req *sfn.HTTPRequest, done func(*sfn.HTTPResponse, error)) {
	go func() { done(c.send(req)) }()
}

// send performs one request.
func (c *netHTTPClient) send(r *sfn.HTTPRequest) (*sfn.HTTPResponse, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, r.URL, body)
	if err != nil {
		return nil, err
	}
	for _, h := range r.Header {
		req.Header.Add(h[0], h[1])
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return sfn.NewHTTPResponse(resp.StatusCode, resp.Status, resp.Header, resp.Body)
}
