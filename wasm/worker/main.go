//go:build js && wasm

// Command worker is Stepwise as a Cloudflare Worker (syumai/workers): the
// Step Functions API in AWS JSON 1.0 (POST / with X-Amz-Target:
// AWSStepFunctions.<Operation>) over a D1 database, beside the
// playground's files, which Workers static assets serve (wrangler.toml).
//
// Nothing survives in memory between requests (the glue starts a fresh Go
// instance for each), so every request builds an sfn.Service over D1. The
// store is store.Durable, so sfn journals each STANDARD execution and
// checkpoints it after every step; a later request that names it (by ARN,
// or by a task token for SendTask*) rebuilds it from the journal, and the
// Cron Trigger fires due timers (Wait, retry intervals, timeouts) through
// Service.Advance. An execution runs inside the request that starts or
// resumes it until it ends or waits.
//
// This host holds no Step Functions logic: the store (d1store.go) and the
// glue below.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// dbBinding is the D1 binding's name in wrangler.toml.
const dbBinding = "DB"

// assetsBinding is the static assets' binding name in wrangler.toml.
const assetsBinding = "ASSETS"

// activityPollWait bounds GetActivityTask's long poll. AWS holds it 60 s,
// but here only tasks of the executions this very request loads could
// arrive (each request is a fresh instance), so it answers soon.
const activityPollWait = time.Second

// hostTaskWait bounds how long a request waits, before it answers, for
// the host work its executions started (HTTP Tasks).
const hostTaskWait = 25 * time.Second

// newService is the API over D1 for one request or one cron event.
// REGION and ACCOUNT_ID are wrangler.toml [vars] (defaults us-east-1,
// 123456789012); SFN_MOCK_CONFIG, if set, is a routing file or a Step
// Functions Local mock configuration: its text, as a Worker has no files.
func newService() (*sfn.Service, error) {
	db := cloudflare.GetBinding(dbBinding)
	if db.IsUndefined() {
		return nil, fmt.Errorf("no D1 binding %q: see wasm/worker/wrangler.toml", dbBinding)
	}
	svc := sfn.New(sfn.Options{
		Store:     &d1Store{db: &d1{db: db}},
		Clock:     sfn.WallClock(),
		Region:    cloudflare.Getenv("REGION"),
		AccountID: cloudflare.Getenv("ACCOUNT_ID"),
	})
	svc.SetHTTPClient(newFetchClient())
	if cfg := cloudflare.Getenv("SFN_MOCK_CONFIG"); cfg != "" {
		if err := svc.SetMockConfig([]byte(cfg)); err != nil {
			return nil, fmt.Errorf("SFN_MOCK_CONFIG: %w", err)
		}
	}
	return svc, nil
}

func main() {
	workers.ServeNonBlock(http.HandlerFunc(serveAPI))
	cron.ScheduleTaskNonBlock(fireTimers)
	workers.Ready()
	select {}
}

// serveAPI answers one API request through sfn.Service.ServeWire, as
// `stepwise serve` does. Requests for the playground's files do not get
// here (static assets answer them first), except at "/", where the Worker
// runs first (wrangler.toml): those that are not POST go on to the
// assets.
func serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		serveAsset(w, r)
		return
	}
	svc, err := newService()
	if err != nil {
		writeWire(w, sfn.New(sfn.Options{}).WireError(&sfn.Error{Code: sfn.CodeServiceUnavailable, Message: err.Error()}))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, sfn.MaxRequestBytes+1))
	if err != nil {
		writeWire(w, svc.WireError(&sfn.Error{Code: sfn.CodeSerialization, Message: "reading the request body: " + err.Error()}))
		return
	}
	ctx := r.Context()
	req := sfn.WireRequest{Method: r.Method, Target: r.Header.Get("X-Amz-Target"), ContentType: r.Header.Get("Content-Type"), Body: body}
	serveCtx := ctx
	if req.Target == "AWSStepFunctions.GetActivityTask" {
		var cancel context.CancelFunc
		serveCtx, cancel = context.WithTimeout(ctx, activityPollWait)
		defer cancel()
	}
	resp := svc.ServeWire(serveCtx, req)
	wait, cancel := context.WithTimeout(ctx, hostTaskWait)
	svc.WaitHostTasks(wait)
	cancel()
	writeWire(w, resp)
}

// writeWire writes a ServeWire answer.
func writeWire(w http.ResponseWriter, resp sfn.WireResponse) {
	for k, v := range resp.Headers() {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// serveAsset answers r from the static assets (the ASSETS binding).
func serveAsset(w http.ResponseWriter, r *http.Request) {
	assets := cloudflare.GetBinding(assetsBinding)
	if assets.IsUndefined() {
		http.NotFound(w, r)
		return
	}
	resp, err := fetch.NewClient(fetch.WithBinding(assets)).HTTPClient(fetch.RedirectModeManual).Transport.RoundTrip(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

// fireTimers is the Cron Trigger: it steps on every execution whose
// timer is due.
func fireTimers(ctx context.Context) error {
	svc, err := newService()
	if err != nil {
		return err
	}
	if err := svc.Advance(ctx); err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, hostTaskWait)
	defer cancel()
	return svc.WaitHostTasks(wait)
}
