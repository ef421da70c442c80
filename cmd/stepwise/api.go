//go:build !js

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// apiServer serves the Step Functions API in AWS's wire protocol (AWS
// JSON 1.0) over HTTP: a thin adapter around sfn.Service.ServeWire. It
// keeps one service per region, created on first use: the region is read
// from the request's credential scope (the Authorization header), and
// unsigned requests go to the default region. With keys it verifies
// Signature Version 4 (sigv4.go); without, any signature is accepted.
type apiServer struct {
	cfg    *serveConfig
	keys   accessKeys
	logger *slog.Logger
	// now is the wall clock signatures are checked against.
	now func() time.Time
	// stopping ends when shutdown begins: long polls answer at once.
	stopping context.Context
	// timers ends the services' timer loops (close).
	timers     context.Context
	stopTimers context.CancelFunc
	loops      sync.WaitGroup

	mu      sync.Mutex
	regions map[string]*regionService
	// ids answers requests no region's service could take.
	ids *sfn.Service
}

// maxRegions bounds the regions served, since any client names one
// (AWS has about 40).
const maxRegions = 64

// regionService is one region's service and its timer loop.
type regionService struct {
	svc    *sfn.Service
	timers *timerLoop
}

// newAPIServer returns the API of cfg; stopping ends long polls when it
// is done (shutdown).
func newAPIServer(cfg *serveConfig, keys accessKeys, logger *slog.Logger, stopping context.Context) *apiServer {
	timers, stop := context.WithCancel(context.Background())
	return &apiServer{
		cfg: cfg, keys: keys, logger: logger, now: time.Now, stopping: stopping,
		timers: timers, stopTimers: stop, regions: map[string]*regionService{},
		ids: sfn.New(sfn.Options{}),
	}
}

// service returns the region's service, creating it (and starting its
// timer loop) on first use.
func (a *apiServer) service(region string) (*regionService, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if rs, ok := a.regions[region]; ok {
		return rs, nil
	}
	if len(a.regions) >= maxRegions {
		return nil, fmt.Errorf("region %s: already serving %d regions", region, maxRegions)
	}
	svc, err := a.cfg.newService(region)
	if err != nil {
		return nil, err
	}
	rs := &regionService{svc: svc, timers: newTimerLoop(svc, a.cfg.clock)}
	a.regions[region] = rs
	a.loops.Add(1)
	go func() {
		defer a.loops.Done()
		rs.timers.run(a.timers)
	}()
	a.logger.Info("region opened", "region", region)
	return rs, nil
}

// close stops the timer loops and then closes every region's service.
func (a *apiServer) close() error {
	a.stopTimers()
	a.loops.Wait()
	a.mu.Lock()
	defer a.mu.Unlock()
	var first error
	for region, rs := range a.regions {
		if err := a.cfg.closeService(region, rs.svc); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (a *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, sfn.MaxRequestBytes+1))
	region := scopeRegion(r.Header.Get("Authorization"))
	if region == "" {
		region = a.cfg.region
	}
	var resp sfn.WireResponse
	switch rs, serr := a.service(region); {
	case err != nil:
		resp = a.ids.WireError(&sfn.Error{Code: sfn.CodeSerialization, Message: "reading the request body: " + err.Error()})
	case serr != nil:
		resp = a.ids.WireError(&sfn.Error{Code: sfn.CodeServiceUnavailable, Message: serr.Error()})
	default:
		req := sfn.WireRequest{Method: r.Method, Target: r.Header.Get("X-Amz-Target"), ContentType: r.Header.Get("Content-Type"), Body: body}
		if a.keys != nil {
			req.Authenticate = func() *sfn.Error { return a.keys.verify(r, body, a.now()) }
		}
		// GetActivityTask long-polls for AWS's 60 s, or until shutdown.
		ctx, cancel := context.WithTimeout(r.Context(), sfn.ActivityPollWait)
		stop := context.AfterFunc(a.stopping, cancel)
		resp = rs.svc.ServeWire(ctx, req)
		stop()
		cancel()
		// a request may have armed an earlier timer (a Wait, a timeout)
		rs.timers.poke()
	}
	for k, v := range resp.Headers() {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
	level := slog.LevelInfo
	if resp.Status >= 500 {
		level = slog.LevelError
	}
	a.logger.Log(r.Context(), level, "request", "operation", resp.Operation, "status", resp.Status,
		"error", resp.ErrorCode, "duration", time.Since(start), "requestId", resp.RequestID, "region", region)
}

// timerLoop fires a service's timers (Waits, retry intervals, task
// timeouts) on the server's clock: it sleeps until the next wake time the
// service reports, or until poked because a request may have armed an
// earlier one.
type timerLoop struct {
	svc   *sfn.Service
	clock serveClock
	wake  chan struct{}
}

// newTimerLoop returns the timer loop of svc on clock (nil: the wall clock).
func newTimerLoop(svc *sfn.Service, clock serveClock) *timerLoop {
	if clock == nil {
		clock = wallClock{}
	}
	return &timerLoop{svc: svc, clock: clock, wake: make(chan struct{}, 1)}
}

// run fires due timers until ctx ends.
func (t *timerLoop) run(ctx context.Context) {
	for {
		wait := time.Hour
		if next, ok := t.svc.NextWake(); ok {
			wait = max(t.clock.wallUntil(next), 0)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-t.wake:
			timer.Stop()
		case <-timer.C:
		}
		t.svc.Advance(ctx)
	}
}

// poke makes run look at the next wake time again.
func (t *timerLoop) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}
