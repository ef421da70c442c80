//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// fetchTimeoutMillis bounds one HTTP Task request, as AWS does (60 s).
const fetchTimeoutMillis = 60000

// fetchClient sends the HTTP Tasks of the page's executions with the
// host's fetch. The browser's rules apply: a cross-origin API answers only
// if it allows the page's origin (CORS), and the browser drops the
// headers it forbids scripts to set (User-Agent in some browsers).
type fetchClient struct{}

// Do starts fetch and returns; done runs on a goroutine of its own once
// the promise settles (a js.Func callback must not block the event loop,
// and the service's lock may be taken).
func (fetchClient) Do(req *sfn.HTTPRequest, done func(*sfn.HTTPResponse, error)) {
	if err := startFetch(req, done); err != nil {
		go done(nil, err)
	}
}

// startFetch calls fetch; a synchronous JavaScript exception (a malformed
// URL or header) comes back as an error.
func startFetch(req *sfn.HTTPRequest, done func(*sfn.HTTPResponse, error)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fetch %s: %v", req.URL, r)
		}
	}()
	fetch := js.Global().Get("fetch")
	if fetch.Type() != js.TypeFunction {
		return errors.New("this JavaScript host has no fetch, so HTTP Tasks cannot be sent")
	}
	headers := js.Global().Get("Headers").New()
	for _, h := range req.Header {
		headers.Call("append", h[0], h[1])
	}
	init := map[string]any{"method": req.Method, "headers": headers}
	if req.Body != nil {
		init["body"] = string(req.Body)
	}
	if as := js.Global().Get("AbortSignal"); as.Type() == js.TypeFunction && as.Get("timeout").Type() == js.TypeFunction {
		init["signal"] = as.Call("timeout", fetchTimeoutMillis)
	}
	var onResponse, onText, onError js.Func
	release := func() {
		onResponse.Release()
		onText.Release()
		onError.Release()
	}
	resp := &sfn.HTTPResponse{}
	onError = js.FuncOf(func(_ js.Value, a []js.Value) any {
		release()
		go done(nil, fetchError(req.URL, arg(a, 0)))
		return nil
	})
	onText = js.FuncOf(func(_ js.Value, a []js.Value) any {
		release()
		if t := arg(a, 0); t.Type() == js.TypeString {
			resp.Body = []byte(t.String())
		}
		go done(resp, nil)
		return nil
	})
	onResponse = js.FuncOf(func(_ js.Value, a []js.Value) any {
		r := arg(a, 0)
		resp.StatusCode = r.Get("status").Int()
		resp.StatusText = r.Get("statusText").String()
		collect := js.FuncOf(func(_ js.Value, kv []js.Value) any {
			resp.Header = append(resp.Header, [2]string{arg(kv, 1).String(), arg(kv, 0).String()})
			return nil
		})
		r.Get("headers").Call("forEach", collect)
		collect.Release()
		r.Call("text").Call("then", onText, onError)
		return nil
	})
	fetch.Invoke(req.URL, init).Call("then", onResponse, onError)
	return nil
}

// fetchError explains a rejected fetch. A TypeError is all a page learns
// of a network failure, a refused connection or a CORS refusal alike.
func fetchError(url string, e js.Value) error {
	name, msg := "", e.String()
	if e.Type() == js.TypeObject {
		name, msg = e.Get("name").String(), e.Get("message").String()
	}
	switch name {
	case "TypeError":
		return fmt.Errorf("The browser could not fetch %s (%s). The API may be unreachable, or it does not allow "+
			"this page's origin (CORS: the response needs Access-Control-Allow-Origin); a browser only lets a page "+
			"read APIs that allow it.", url, msg)
	case "TimeoutError", "AbortError":
		return fmt.Errorf("The request to %s timed out after 60 seconds.", url)
	}
	return fmt.Errorf("fetch %s: %s: %s", url, name, msg)
}
