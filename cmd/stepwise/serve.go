//go:build !js

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store"
	"github.com/stepwise-sfn/stepwise/engine/store/bolt"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// serveUsage is the help of `stepwise serve`: its flags and environment.
const serveUsage = `usage: stepwise serve [flags]

Serves the playground (GET) and, on the same address, the Step Functions API
in AWS's wire protocol (POST / with X-Amz-Target: AWSStepFunctions.<Operation>).
Flags (environment variables in the spirit of Step Functions Local):
`

// serveConfig is the configuration of `stepwise serve`, from its flags and
// environment.
type serveConfig struct {
	addr, dir       string
	account, region string
	dataDir         string
	inMemory        bool
	fsync           bool
	// stores are the regions' durable stores, by region (newService).
	stores        map[string]*bolt.Store
	storesMu      sync.Mutex
	mockConfig    string
	auth          string
	logFormat     string
	waitTimeScale float64
	mock          []byte // the mock config or routing file, if any
	mockDir       string // its folder: commands run there
	clock         serveClock
	virtual       bool
	logs          *logFiles
}

// parseServeFlags reads serve's flags, with defaults from the environment
// (getenv).
func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (*serveConfig, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	c := &serveConfig{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.dir, "dir", "", "the playground folder (default: web/ here or beside the binary)")
	fs.StringVar(&c.account, "account", env("AWS_ACCOUNT_ID", "123456789012"), "account id in ARNs (env AWS_ACCOUNT_ID)")
	fs.StringVar(&c.region, "region", env("AWS_DEFAULT_REGION", env("AWS_REGION", "us-east-1")),
		"region of unsigned requests; a signed request's region is its credential scope's (env AWS_DEFAULT_REGION, AWS_REGION)")
	fs.StringVar(&c.dataDir, "data-dir", env("STEPWISE_DATA_DIR", ".stepwise"), "where state and execution logs (logs/<log group>.log) are kept (env STEPWISE_DATA_DIR)")
	fs.BoolVar(&c.inMemory, "in-memory", false, "keep state in memory only: everything is lost at exit")
	fs.BoolVar(&c.fsync, "fsync", false, "sync the data directory to disk on every commit: survive a machine crash too, not only a crash of the server")
	fs.StringVar(&c.mockConfig, "mock-config", getenv("SFN_MOCK_CONFIG"), "a Step Functions Local mock config (or routing file) for Task states (env SFN_MOCK_CONFIG)")
	routes := fs.String("routes", "", "a routing file or Step Functions Local mock config for the API's Task states")
	fs.StringVar(&c.auth, "auth", env("STEPWISE_AUTH", ""), "verify AWS Signature Version 4 with the access keys in this file: JSON {\"ACCESS_KEY_ID\": \"SECRET\"} or an AWS credentials file; without it any signature is accepted (env STEPWISE_AUTH)")
	fs.StringVar(&c.logFormat, "log-format", env("STEPWISE_LOG_FORMAT", "text"), "server log format on stderr: text or json (env STEPWISE_LOG_FORMAT)")
	scale := env("WAIT_TIME_SCALE", "1")
	fs.Func("wait-time-scale", "clock speed: 1 real time, 0.01 makes waits 100x faster, 0 virtual time (timers fire at once with AWS's timestamps) (env WAIT_TIME_SCALE, default 1)", func(v string) error {
		scale = v
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.waitTimeScale, err = strconv.ParseFloat(scale, 64); err != nil || c.waitTimeScale < 0 || math.IsInf(c.waitTimeScale, 0) || math.IsNaN(c.waitTimeScale) {
		return nil, fmt.Errorf("serve: --wait-time-scale %q: want a number >= 0", scale)
	}
	switch {
	case c.waitTimeScale == 0:
		c.clock, c.virtual = wallClock{}, true
	case c.waitTimeScale == 1:
		c.clock = wallClock{}
	default:
		c.clock = newScaledClock(c.waitTimeScale)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return nil, fmt.Errorf("serve: --log-format %q: want text or json", c.logFormat)
	}
	if *routes != "" {
		if c.mockConfig != "" && c.mockConfig != *routes {
			return nil, errors.New("serve: --routes and --mock-config name different files")
		}
		c.mockConfig = *routes
	}
	if c.mockConfig != "" {
		if c.mock, err = os.ReadFile(c.mockConfig); err != nil {
			return nil, err
		}
		c.mockDir = filepath.Dir(c.mockConfig)
	}
	if !validRegion(c.region) {
		return nil, fmt.Errorf("serve: --region %q is not a region name", c.region)
	}
	c.logs = &logFiles{dir: filepath.Join(c.dataDir, "logs"), files: map[string]*os.File{}}
	return c, nil
}

// newService creates the service of one region: the one place a region's
// store is opened.
func (c *serveConfig) newService(region string) (*sfn.Service, error) {
	var st store.Store = mem.New()
	if !c.inMemory {
		if !validRegion(region) {
			return nil, fmt.Errorf("region %q: not a region name", region)
		}
		if err := os.MkdirAll(c.dataDir, 0o755); err != nil {
			return nil, err
		}
		db, err := bolt.Open(filepath.Join(c.dataDir, region+".db"), bolt.Options{NoSync: !c.fsync})
		if err != nil {
			return nil, err
		}
		c.storesMu.Lock()
		if c.stores == nil {
			c.stores = map[string]*bolt.Store{}
		}
		c.stores[region] = db
		c.storesMu.Unlock()
		st = db
	}
	svc := sfn.New(sfn.Options{
		Store: st, Region: region, AccountID: c.account,
		Clock: c.clock, Virtual: c.virtual, LogGroupSink: c.logs.write,
	})
	svc.SetHTTPClient(newHTTPClient())
	if c.mock != nil {
		if err := svc.SetMockConfig(c.mock); err != nil {
			return nil, err
		}
		serveRoutes(svc, c.mockDir)
	}
	// The executions that were running when the server stopped go on:
	// waits armed again on the clock, tasks waiting for their tokens.
	if err := svc.Resume(context.Background()); err != nil {
		return nil, fmt.Errorf("region %s: resuming executions: %w", region, err)
	}
	return svc, nil
}

// closeService is called once per region's service at shutdown, after
// its timers stopped and the last request ended.
func (c *serveConfig) closeService(region string, svc *sfn.Service) error {
	c.storesMu.Lock()
	db := c.stores[region]
	delete(c.stores, region)
	c.storesMu.Unlock()
	if db == nil {
		return nil
	}
	return db.Close()
}

// serveCommand serves the playground (the web/ folder, with the wasm
// module and bundle that `make web wasm` build into web/dist) and, on the
// same address, the Step Functions API in AWS's wire protocol, until
// interrupted (SIGINT, SIGTERM): it then stops accepting connections, lets
// requests in flight finish (long polls end at once), stops the timers
// and closes the services.
func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServeFlags(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.logFormat == "json" {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	logger := slog.New(handler)
	root, err := webDir(cfg.dir)
	if err != nil {
		return err
	}
	var keys accessKeys
	if cfg.auth != "" {
		if keys, err = loadAccessKeys(cfg.auth); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopping, endPolls := context.WithCancel(context.Background())
	defer endPolls()
	api := newAPIServer(cfg, keys, logger, stopping)
	// The default region's service starts now, so its executions resume
	// before the first request.
	if _, err := api.service(cfg.region); err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: serveHandler(playgroundHandler(root), api), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Stepwise playground: http://%s/\n", ln.Addr())
	fmt.Fprintf(stdout, "Step Functions API (AWS JSON 1.0): --endpoint-url http://%s\n", ln.Addr())
	logger.Info("serving", "addr", ln.Addr().String(), "region", cfg.region, "account", cfg.account,
		"auth", cfg.auth != "", "waitTimeScale", cfg.waitTimeScale, "mockConfig", cfg.mockConfig)

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		logger.Info("shutting down")
		endPolls()
		shutdown, cancel := context.WithTimeout(context.Background(), shutdownWait)
		err = srv.Shutdown(shutdown)
		cancel()
		if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	if cerr := api.close(); err == nil {
		err = cerr
	}
	if cerr := cfg.logs.close(); err == nil {
		err = cerr
	}
	logger.Info("stopped", "error", err)
	return err
}

// shutdownWait bounds how long shutdown waits for requests in flight.
const shutdownWait = 10 * time.Second

// logFiles writes execution log records to one file per log group,
// <dir>/<log group name>.log, one JSON record per line. Safe for
// concurrent use.
type logFiles struct {
	dir   string
	mu    sync.Mutex
	files map[string]*os.File
	// failed remembers groups whose file could not be opened, so the
	// failure is not retried on every record.
	failed map[string]bool
}

// write appends a record to the log group's file (sfn.Options.LogGroupSink).
func (l *logFiles) write(logGroupARN string, record []byte) {
	name := logFileName(logGroupARN)
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.files[name]
	if !ok {
		if l.failed[name] {
			return
		}
		var err error
		if err = os.MkdirAll(l.dir, 0o755); err == nil {
			f, err = os.OpenFile(filepath.Join(l.dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		}
		if err != nil {
			if l.failed == nil {
				l.failed = map[string]bool{}
			}
			l.failed[name] = true
			slog.Error("execution log", "logGroup", logGroupARN, "error", err)
			return
		}
		l.files[name] = f
	}
	f.Write(append(record, '\n'))
}

// close closes the log files.
func (l *logFiles) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first error
	for name, f := range l.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
		delete(l.files, name)
	}
	return first
}

// logFileName is the file of a log group: its name from the ARN
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*), leading slashes
// dropped, every character other than letters, digits, '.', '-', '_' and
// '#' made '_', and ".log" added (/aws/vendedlogs/states/x ->
// aws_vendedlogs_states_x.log).
func logFileName(logGroupARN string) string {
	name := logGroupARN
	if _, after, ok := strings.Cut(name, ":log-group:"); ok {
		name = strings.TrimSuffix(after, ":*")
	}
	name = strings.TrimLeft(name, "/")
	b := []byte(name)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == '#') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || b[0] == '.' {
		b = append([]byte("_"), b...)
	}
	return string(b) + ".log"
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
// X-Amz-Target, or POSTs that are not form posts: AWS answers those
// without a target itself) to api and everything else to files.
func serveHandler(files, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "" || r.Method == http.MethodPost {
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
