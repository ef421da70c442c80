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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
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

// maxRequestBytes bounds a request body: the largest AWS request (an
// execution input or task output of 256 KiB, JSON-escaped) fits.
const maxRequestBytes = 2 << 20

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

// serveAPI answers one API request. Requests for the playground's files
// do not get here (static assets answer them first), except at "/",
// where the Worker runs first (wrangler.toml): those that are not POST
// go on to the assets.
func serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		serveAsset(w, r)
		return
	}
	svc, err := newService()
	if err != nil {
		writeError(w, &sfn.Error{Code: sfn.CodeServiceUnavailable, Message: err.Error()})
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &sfn.Error{Code: sfn.CodeUnknownOperation, Message: "Unknown operation " + r.Header.Get("X-Amz-Target")})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil || len(body) > maxRequestBytes {
		writeError(w, &sfn.Error{Code: sfn.CodeValidation, Message: "the request body is unreadable or too large"})
		return
	}
	ctx := r.Context()
	resp, err := svc.Invoke(ctx, op, body)
	wait, cancel := context.WithTimeout(ctx, hostTaskWait)
	svc.WaitHostTasks(wait)
	cancel()
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Write(resp)
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

// writeError answers an API error as AWS does: the code in __type, the
// status from sfn's table.
func writeError(w http.ResponseWriter, err error) {
	e := &sfn.Error{Code: sfn.CodeInternalFailure, Message: err.Error()}
	errors.As(err, &e)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(e.HTTPStatus())
	body, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	w.Write(body)
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
