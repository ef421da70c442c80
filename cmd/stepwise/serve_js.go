//go:build js

package main

import (
	"context"
	"errors"
	"io"
)

// serveCommand is not available in the GOOS=js build of the CLI, which
// has no sockets; the browser bridge (wasm/browser) serves that platform.
func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("serve is not available in the GOOS=js build")
}
