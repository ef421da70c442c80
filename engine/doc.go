// Package engine is the root of Stepwise's pure-Go core: the Amazon States
// Language interpreter and the Step Functions API, with no host behind them.
// This package holds no code; its tests guard the design of the tree below it.
//
// The tree, from leaves to the API:
//
//	states/     ASL error names and the runtime *states.Error that Retry and Catch match.
//	history/    execution history events in the GetExecutionHistory shape.
//	jsonpath/   ASL paths and reference paths: parser to AST, Get/Set on JSON bytes.
//	            The only package that imports gjson/sjson.
//	intrinsic/  States.Format, States.Array ...: parser to AST, function table, Eval.
//	asl/        Parse(JSON) to *asl.Definition; Validate to diagnostics with locations.
//	interp/     Compile(*asl.Definition) to an immutable *Program; Program.Start to a
//	            mutable *Run that advances with Run.Step and never blocks.
//	store/      the Store interface (machines, executions, events, task tokens,
//	            activities); store/mem is the in-memory implementation.
//	sfn/        the Step Functions API: request/response types, Service, API errors,
//	            Invoke(ctx, op, body). No net/http here.
//
// Imports point one way only: states, history and jsonpath are leaves;
// intrinsic uses jsonpath; asl uses jsonpath, intrinsic and states; interp uses
// asl, jsonpath, intrinsic, states and history; store uses history; store/mem
// uses store, history and states; sfn uses asl, interp, store, history and
// states. Hosts (cmd/*, wasm/*) reach the engine only through sfn and the store
// packages, so the API surface is the single place where requests enter.
//
// Everything here builds unchanged for GOOS=js GOARCH=wasm, which is why the
// engine imports no syscall/js, net, net/http or os/exec, and why time and
// randomness are injected through interp.Env rather than read directly: the
// playground runs on a virtual clock and tests need deterministic histories.
// Only the default environment constructors (files named env_default.go or
// clock_default.go) may read the wall clock.
//
// design_test.go enforces all of this in `go test ./...`.
package engine
