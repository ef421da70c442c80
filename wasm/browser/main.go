//go:build js && wasm

// Command browser is the Stepwise engine for JavaScript hosts (browsers,
// Web Workers, Node): it registers one global, __stepwise, whose functions
// take and return strings, and leaves promises, workers and task functions
// to web/stepwise.js. Every call goes through sfn.Invoke, as on every other
// surface.
//
//	__stepwise.invoke(op, requestJSON) -> {response} | {code, message}
//	__stepwise.onEvent(fn(executionArn, eventJSON))
//	__stepwise.onTask(fn(hostTaskJSON))          answered with SendTaskSuccess/Failure
//	__stepwise.handle(name, bool)                route a Task resource or state name (or a
//	                                             routing file's handler name) to onTask
//	__stepwise.mockConfig(json) -> "" | error    routing file or Step Functions Local mock config ("" clears)
//	__stepwise.clock(mode, scale)                "virtual" or "real" (time scaled by scale)
//	__stepwise.nextWake() -> wall-clock ms until the next timer, or -1
//	__stepwise.advance()                         fire due timers (real clock)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"syscall/js"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

func main() {
	b := &bridge{resources: map[string]bool{}}
	b.svc = sfn.New(sfn.Options{Store: mem.New(), Virtual: true, OnEvent: b.event})
	b.svc.SetTaskHandler(&sfn.TaskHandler{Handles: b.handles, Start: b.startTask})
	b.svc.SetHTTPClient(fetchClient{})
	api := map[string]any{
		"invoke":     js.FuncOf(b.invoke),
		"onEvent":    js.FuncOf(func(_ js.Value, a []js.Value) any { b.onEvent = arg(a, 0); return nil }),
		"onTask":     js.FuncOf(func(_ js.Value, a []js.Value) any { b.onTask = arg(a, 0); return nil }),
		"handle":     js.FuncOf(b.handle),
		"mockConfig": js.FuncOf(b.mockConfig),
		"clock":      js.FuncOf(b.clock),
		"nextWake":   js.FuncOf(b.nextWake),
		"advance":    js.FuncOf(b.advance),
	}
	js.Global().Set("__stepwise", js.ValueOf(api))
	if ready := js.Global().Get("__stepwiseReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {} // serve calls until the page goes away
}

type bridge struct {
	svc       *sfn.Service
	real      *scaledClock // nil on virtual time
	onEvent   js.Value
	onTask    js.Value
	resources map[string]bool
}

func arg(a []js.Value, i int) js.Value {
	if i < len(a) {
		return a[i]
	}
	return js.Undefined()
}

func str(a []js.Value, i int) string {
	if v := arg(a, i); v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

func (b *bridge) invoke(_ js.Value, a []js.Value) any {
	resp, err := b.svc.Invoke(context.Background(), str(a, 0), []byte(str(a, 1)))
	if err != nil {
		var e *sfn.Error
		if !errors.As(err, &e) {
			e = &sfn.Error{Code: sfn.CodeInternalFailure, Message: err.Error()}
		}
		return map[string]any{"code": e.Code, "message": e.Message}
	}
	return map[string]any{"response": string(resp)}
}

func (b *bridge) event(executionARN string, event []byte) {
	if b.onEvent.Type() == js.TypeFunction {
		b.onEvent.Invoke(executionARN, string(event))
	}
}

func (b *bridge) handles(resource, stateName string) bool {
	return b.resources[resource] || stateName != "" && b.resources[stateName]
}

func (b *bridge) startTask(t sfn.HostTask) {
	body, err := json.Marshal(t)
	if err == nil && b.onTask.Type() == js.TypeFunction {
		b.onTask.Invoke(string(body))
	}
}

func (b *bridge) handle(_ js.Value, a []js.Value) any {
	if on := arg(a, 1); on.Type() == js.TypeBoolean && !on.Bool() {
		delete(b.resources, str(a, 0))
	} else {
		b.resources[str(a, 0)] = true
	}
	return nil
}

func (b *bridge) mockConfig(_ js.Value, a []js.Value) any {
	if err := b.svc.SetMockConfig([]byte(str(a, 0))); err != nil {
		return err.Error()
	}
	return ""
}

// scaledClock is wall time sped up by scale from the moment it was set.
type scaledClock struct {
	origin time.Time
	scale  float64
}

func (c *scaledClock) Now() time.Time {
	return c.origin.Add(time.Duration(float64(time.Since(c.origin)) * c.scale))
}

func (b *bridge) clock(_ js.Value, a []js.Value) any {
	if str(a, 0) != "real" {
		b.real = nil
		b.svc.SetClock(nil, true)
		return nil
	}
	scale := 1.0
	if s := arg(a, 1); s.Type() == js.TypeNumber && s.Float() > 0 {
		scale = s.Float()
	}
	b.real = &scaledClock{origin: time.Now(), scale: scale}
	b.svc.SetClock(b.real, false)
	return nil
}

func (b *bridge) nextWake(js.Value, []js.Value) any {
	w, ok := b.svc.NextWake()
	if !ok || b.real == nil {
		return -1
	}
	d := float64(w.Sub(b.real.Now())) / b.real.scale
	return max(d/float64(time.Millisecond), 0)
}

func (b *bridge) advance(js.Value, []js.Value) any {
	if err := b.svc.Advance(context.Background()); err != nil {
		return err.Error()
	}
	return ""
}
