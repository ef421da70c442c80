//go:build !js

package main

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// httpTaskTimeout bounds one HTTP Task request, as AWS does (60 s, then
// States.Http.Socket).
const httpTaskTimeout = 60 * time.Second

// maxHTTPResponseBytes is read from a response at most: AWS asks for the
// first 256 KiB (Range: bytes=0-262144), one byte more than a state may
// pass on, so a larger body fails the state as on AWS.
const maxHTTPResponseBytes = 262145

// netHTTPClient sends the service's HTTP requests (HTTP Tasks, HTTP
// routes) with net/http, one goroutine per request. The service counts
// them as host work in flight, so `stepwise run` waits for their answers
// (sfn.Service.WaitHostTasks) before it reports.
type netHTTPClient struct {
	client *http.Client
}

// newHTTPClient returns the CLI's HTTP client.
func newHTTPClient() *netHTTPClient {
	return &netHTTPClient{client: &http.Client{Timeout: httpTaskTimeout}}
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
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPResponseBytes))
	if err != nil {
		return nil, err
	}
	out := &sfn.HTTPResponse{StatusCode: resp.StatusCode, Body: data,
		StatusText: strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))}
	// A fixed order keeps the task output the same from run to run.
	for _, name := range slices.Sorted(maps.Keys(resp.Header)) {
		for _, v := range resp.Header[name] {
			out.Header = append(out.Header, [2]string{name, v})
		}
	}
	return out, nil
}
