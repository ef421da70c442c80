//go:build js

package main

import (
	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// netHTTPClient is absent from the GOOS=js build of the CLI, which has no
// sockets: its HTTP Tasks go on to the mocks (the browser bridge has a
// fetch client instead).
type netHTTPClient struct{}

// newHTTPClient returns nil: no HTTP client on this platform.
func newHTTPClient() *netHTTPClient { return nil }

// Do is never called: the service is given no client.
func (c *netHTTPClient) Do(*sfn.HTTPRequest, func(*sfn.HTTPResponse, error)) {}
