//go:build !js

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// serveCommand serves the playground (the web/ folder, with the wasm
// module and bundle that `make web wasm` build into web/dist) and, on the
// same address, the Step Functions API in AWS's wire protocol, in memory
// and on the wall clock, until interrupted.
func serveCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dir := fs.String("dir", "", "the playground folder (default: web/ here or beside the binary)")
	routes := fs.String("routes", "", "a routing file or Step Functions Local mock config for the API's Task states")
	if err := fs.Parse(args); err != nil {
		return err
	}
	root, err := webDir(*dir)
	if err != nil {
		return err
	}
	svc := sfn.New(sfn.Options{Store: mem.New(), Clock: sfn.WallClock()})
	svc.SetHTTPClient(newHTTPClient())
	if *routes != "" {
		cfg, err := os.ReadFile(*routes)
		if err != nil {
			return err
		}
		if err := svc.SetMockConfig(cfg); err != nil {
			return err
		}
		serveRoutes(svc, filepath.Dir(*routes))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	timers := newTimerLoop(svc)
	srv := &http.Server{Handler: serveHandler(playgroundHandler(root), apiHandler(svc, timers)), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Stepwise playground: http://%s/\n", ln.Addr())
	fmt.Fprintf(stdout, "Step Functions API (AWS JSON 1.0): --endpoint-url http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go timers.run(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			return err
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// webDir finds the playground folder: the flag, else ./web, else web/
// beside the binary's folder (bin/stepwise -> web/).
func webDir(flagDir string) (string, error) {
	candidates := []string{flagDir}
	if flagDir == "" {
		candidates = []string{"web"}
		if exe, err := os.Executable(); err == nil {
			candidates = append(candidates, filepath.Join(filepath.Dir(exe), "..", "web"))
		}
	}
	for _, c := range candidates {
		if st, err := os.Stat(filepath.Join(c, "index.html")); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", fmt.Errorf("no playground at %v (an index.html is expected; run from the repository or pass --dir)", candidates)
}

// serveHandler sends AWS API requests (those naming an operation in
// X-Amz-Target) to api and everything else to files.
func serveHandler(files, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "" {
			api.ServeHTTP(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// playgroundHandler serves root's files; nothing is cached by the browser
// across rebuilds, since the wasm module and bundle keep their names.
func playgroundHandler(root string) http.Handler {
	files := http.FileServer(http.Dir(root))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
