//go:build !js

package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// activityPollWait is how long GetActivityTask waits for a task, as on AWS.
const activityPollWait = 60 * time.Second

// maxRequestBytes bounds a request body: the largest AWS request (an
// execution input or task output of 256 KiB, JSON-escaped) fits.
const maxRequestBytes = 2 << 20

// apiHandler serves the Step Functions API in AWS's wire protocol, AWS
// JSON 1.0: POST with X-Amz-Target: AWSStepFunctions.<Operation> and the
// operation's JSON request; the response is its JSON, or
// {"__type": code, "message": ...} with a 4xx/5xx status. Every request
// goes to sfn.Invoke, except GetActivityTask, which long-polls.
func apiHandler(svc *sfn.Service, timers *timerLoop) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
		if r.Method != http.MethodPost || !ok {
			writeAPIError(w, &sfn.Error{Code: sfn.CodeUnknownOperation, Message: "Unknown operation " + r.Header.Get("X-Amz-Target")})
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
		if err != nil || len(body) > maxRequestBytes {
			writeAPIError(w, &sfn.Error{Code: sfn.CodeValidation, Message: "the request body is unreadable or too large"})
			return
		}
		var resp []byte
		if op == "GetActivityTask" {
			ctx, cancel := context.WithTimeout(r.Context(), activityPollWait)
			resp, err = svc.PollActivityTask(ctx, body)
			cancel()
		} else {
			resp, err = svc.Invoke(r.Context(), op, body)
		}
		// a request may have armed an earlier timer (a Wait, a timeout)
		timers.poke()
		if err != nil {
			writeAPIError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Write(resp)
	})
}

// writeAPIError answers an API error as AWS does: the code in __type,
// the status from sfn's table (400 for the caller's errors, 5xx for the
// service's).
func writeAPIError(w http.ResponseWriter, err error) {
	e := &sfn.Error{Code: sfn.CodeInternalFailure, Message: err.Error()}
	errors.As(err, &e)
	status := e.HTTPStatus()
	body, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	w.Write(body)
}

// timerLoop fires the service's timers (Waits, retry intervals, task
// timeouts) on the wall clock: it sleeps until the next wake time the
// service reports, or until poked because a request may have armed an
// earlier one.
type timerLoop struct {
	svc  *sfn.Service
	wake chan struct{}
}

func newTimerLoop(svc *sfn.Service) *timerLoop {
	return &timerLoop{svc: svc, wake: make(chan struct{}, 1)}
}

// run fires due timers until ctx ends.
func (t *timerLoop) run(ctx context.Context) {
	for {
		wait := time.Hour
		if next, ok := t.svc.NextWake(); ok {
			wait = max(time.Until(next), 0)
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
