//go:build js && wasm

package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// httpTaskTimeout bounds one HTTP Task request, as AWS does (60 s, then
// States.Http.Socket).
const httpTaskTimeout = 60 * time.Second

// maxHTTPResponseBytes is read from a response at most: AWS asks for the
// first 256 KiB, one byte more than a state may pass on, so a larger body
// fails the state as on AWS.
const maxHTTPResponseBytes = 262145

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
// with an error after httpTaskTimeout: the fetch transport cannot be
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
		timer := time.NewTimer(httpTaskTimeout)
		defer timer.Stop()
		select {
		case a := <-ch:
			done(a.resp, a.err)
		case <-timer.C:
			done(nil, fmt.Errorf("%s %s: no answer in %v", req.Method, req.URL, httpTaskTimeout))
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
