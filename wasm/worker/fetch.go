//go:build js && wasm

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// fetchClient sends the service's HTTP requests (HTTP Tasks, HTTP routes)
// with the Workers runtime's fetch, through syumai/workers' net/http
// transport. The service counts them as host work in flight, and the
// request that started one waits for it (Service.WaitHostTasks) before it
// answers, so its result is checkpointed while the Worker still runs.
type fetchClient struct {
	// rt is the fetch transport, called directly: http.Client.Do would
	// link net/http's own Transport (TLS and all), 1.1 MB gzip more.
	rt http.RoundTripper
}

func newFetchClient() *fetchClient {
	return &fetchClient{rt: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow).Transport}
}

// Do sends req on its own goroutine and calls done with the answer, or
// with an error after sfn.HTTPTaskTimeout: the fetch transport cannot be
// cancelled (a timeout on the request's context would not end a fetch
// that hangs), so
// its late answer is dropped instead.
func (c *fetchClient) Do(req *sfn.HTTPRequest, done func(*sfn.HTTPResponse, error)) {
	type answer struct {
		resp *sfn.HTTPResponse
		err  error
	}
	go func() {
		ch := make(chan answer, 1)
		go func() {
			resp, err := c.send(req)
			ch <- answer{resp, err}
		}()
		timer := time.NewTimer(sfn.HTTPTaskTimeout)
		defer timer.Stop()
		select {
		case a := <-ch:
			done(a.resp, a.err)
		case <-timer.C:
			done(nil, fmt.Errorf("%s %s: no answer in %v", req.Method, req.URL, sfn.HTTPTaskTimeout))
		}
	}()
}

// send performs one request.
func (c *fetchClient) send(r *sfn.HTTPRequest) (*sfn.HTTPResponse, error) {
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
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return sfn.NewHTTPResponse(resp.StatusCode, resp.Status, resp.Header, resp.Body)
}
