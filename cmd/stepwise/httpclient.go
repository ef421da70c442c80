//go:build !js

package main

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// netHTTPClient sends the HTTP Tasks of the CLI's executions with
// net/http, one goroutine per request. It counts the requests in flight
// so that `stepwise run` can wait for their answers before it reports.
type netHTTPClient struct {
	client *http.Client
	mu     sync.Mutex
	flying int
	// answered gets a signal after each answer has been delivered to the
	// service (buffered: a waiter that was not yet waiting still sees it).
	answered chan struct{}
}

// newHTTPClient returns the CLI's HTTP client.
func newHTTPClient() *netHTTPClient {
	return &netHTTPClient{
		client:   &http.Client{Timeout: httpTaskTimeout},
		answered: make(chan struct{}, 1),
	}
}

// Do sends req on its own goroutine and calls done with the answer.
func (c *netHTTPClient) Do(req *sfn.HTTPRequest, done func(*sfn.HTTPResponse, error)) {
	c.mu.Lock()
	c.flying++
	c.mu.Unlock()
	go func() {
		resp, err := c.send(req)
		// done may start the next request before this one stops
		// counting, so a chain of HTTP Tasks never looks idle between two
		// requests.
		done(resp, err)
		c.mu.Lock()
		c.flying--
		c.mu.Unlock()
		select {
		case c.answered <- struct{}{}:
		default:
		}
	}()
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

// wait blocks until no request is in flight, or ctx ends.
func (c *netHTTPClient) wait(ctx context.Context) {
	for {
		c.mu.Lock()
		n := c.flying
		c.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-c.answered:
		case <-ctx.Done():
			return
		}
	}
}
