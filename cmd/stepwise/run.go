package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// runCommand runs a definition to the end on the virtual clock.
func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	input := fs.String("input", "{}", "execution input: JSON text, or @FILE")
	typ := fs.String("type", "STANDARD", "state machine type: STANDARD or EXPRESS")
	mockFile := fs.String("routes", "", "routing file: Routes to mocks, commands, HTTP endpoints or failures, and/or a Step Functions Local mock config")
	fs.StringVar(mockFile, "mock-config", "", "alias of --routes (a Step Functions Local mock config is a routing file)")
	testCase := fs.String("test-case", "", "test case of the mock config to run")
	showHistory := fs.Bool("history", false, "print the execution history as a table")
	asJSON := fs.Bool("json", false, "print the execution history as GetExecutionHistory JSON")
	logFile := fs.String("log", "", "write execution log records (CloudWatch Logs format) to this file, - for stderr")
	logLevel := fs.String("log-level", "ALL", "log level with --log: ALL, ERROR or FATAL")
	logData := fs.Bool("log-data", true, "with --log, include input and output (includeExecutionData)")
	var defPath string
	rest := args
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		defPath, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return 2, err
	}
	if defPath == "" && fs.NArg() > 0 {
		defPath = fs.Arg(0)
	}
	if defPath == "" {
		return 2, errors.New("usage: stepwise run DEFINITION [flags]")
	}
	def, err := os.ReadFile(defPath)
	if err != nil {
		return 2, err
	}
	in, err := readArg(*input)
	if err != nil {
		return 2, err
	}
	// virtual time from now: a Wait of a day ends at once, stamped a day later
	opts := sfn.Options{Store: mem.New(), Virtual: true, Clock: sfn.WallClock()}
	if *mockFile != "" {
		cfg, err := os.ReadFile(*mockFile)
		if err != nil {
			return 2, err
		}
		if opts.Tasks, err = sfn.MockRunner(cfg); err != nil {
			return 2, err
		}
	}
	if *logFile != "" {
		var w io.Writer = stderr
		if *logFile != "-" {
			f, err := os.Create(*logFile)
			if err != nil {
				return 2, err
			}
			defer f.Close()
			w = f
		}
		opts.LogSink = func(rec []byte) { w.Write(append(rec, '\n')) }
	}
	svc := sfn.New(opts)
	if c := newHTTPClient(); c != nil { // nil under GOOS=js: no sockets
		svc.SetHTTPClient(c)
	}
	if *mockFile != "" {
		serveRoutes(svc, filepath.Dir(*mockFile))
	}
	name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(defPath), ".json"), ".asl")
	name = sanitizeName(name)
	var created struct {
		StateMachineARN string `json:"stateMachineArn"`
	}
	req := map[string]any{"name": name, "definition": string(def), "type": *typ,
		"roleArn": "arn:aws:iam::123456789012:role/stepwise",
	}
	if *logFile != "" {
		req["loggingConfiguration"] = map[string]any{
			"level": *logLevel, "includeExecutionData": *logData,
			"destinations": []any{map[string]any{"cloudWatchLogsLogGroup": map[string]any{
				"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/stepwise/" + name + ":*"}}},
		}
	}
	if *mockFile != "" && *testCase != "" {
		// the mock config names state machines: use that name if it has one
		req["name"] = mockMachineName(*mockFile, *testCase, name)
	}
	if err := call(ctx, svc, "CreateStateMachine", req, &created); err != nil {
		return 1, err
	}
	arn := created.StateMachineARN
	if *testCase != "" {
		arn += "#" + *testCase
	}
	var exec struct {
		ExecutionARN string  `json:"executionArn"`
		Status       string  `json:"status"`
		Output       *string `json:"output"`
		Error        *string `json:"error"`
		Cause        *string `json:"cause"`
	}
	start := map[string]any{"stateMachineArn": arn, "input": string(in)}
	if *typ == "EXPRESS" {
		if err := call(ctx, svc, "StartSyncExecution", start, &exec); err != nil {
			return 1, err
		}
	} else {
		if err := call(ctx, svc, "StartExecution", start, &exec); err != nil {
			return 1, err
		}
		if err := waitForHostTasks(ctx, svc); err != nil {
			return 1, err
		}
		if err := call(ctx, svc, "DescribeExecution", map[string]any{"executionArn": exec.ExecutionARN}, &exec); err != nil {
			return 1, err
		}
		if *showHistory || *asJSON {
			events, err := fetchHistory(ctx, svc, exec.ExecutionARN)
			if err != nil {
				return 1, err
			}
			if *asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetEscapeHTML(false) // AWS writes < > & as they are
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"events": events}); err != nil {
					return 1, err
				}
			} else {
				printHistory(stdout, events)
			}
		}
	}
	switch exec.Status {
	case "SUCCEEDED":
		if !*asJSON {
			fmt.Fprintln(stdout, deref(exec.Output))
		}
		return 0, nil
	case "RUNNING":
		fmt.Fprintln(stderr, "stepwise: the execution is waiting for a task result (a callback or an unrouted activity)")
		return 1, nil
	}
	fmt.Fprintf(stderr, "stepwise: execution %s\n  error: %s\n  cause: %s\n", exec.Status, deref(exec.Error), deref(exec.Cause))
	return 1, nil
}

// waitForHostTasks lets the commands and HTTP requests the routing file
// started finish, and the execution move on with their results, before
// the run is reported.
func waitForHostTasks(ctx context.Context, svc *sfn.Service) error {
	return svc.WaitHostTasks(ctx)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// sanitizeName keeps the characters a state machine name may have.
func sanitizeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r <= ' ' || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) || r >= 0x7f && r <= 0x9f {
			r = '-'
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 || b.Len() > 80 {
		return "stepwise"
	}
	return b.String()
}

// mockMachineName returns the state machine of the mock config that has
// the test case, so users' mock files work unchanged.
func mockMachineName(file, testCase, fallback string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return fallback
	}
	var cfg struct {
		StateMachines map[string]struct {
			TestCases map[string]json.RawMessage
		}
	}
	if json.Unmarshal(data, &cfg) != nil {
		return fallback
	}
	if _, ok := cfg.StateMachines[fallback].TestCases[testCase]; ok {
		return fallback
	}
	for name, sm := range cfg.StateMachines {
		if _, ok := sm.TestCases[testCase]; ok {
			return name
		}
	}
	return fallback
}

// fetchHistory reads an execution's whole history, page by page.
func fetchHistory(ctx context.Context, svc *sfn.Service, arn string) ([]json.RawMessage, error) {
	var events []json.RawMessage
	token := ""
	for {
		in := map[string]any{"executionArn": arn, "maxResults": 1000}
		if token != "" {
			in["nextToken"] = token
		}
		var page struct {
			Events    []json.RawMessage `json:"events"`
			NextToken string            `json:"nextToken"`
		}
		if err := call(ctx, svc, "GetExecutionHistory", in, &page); err != nil {
			return nil, err
		}
		events = append(events, page.Events...)
		if token = page.NextToken; token == "" {
			return events, nil
		}
	}
}

// printHistory writes the events as a table: id, type, state, elapsed
// simulated time since the start.
func printHistory(w io.Writer, raw []json.RawMessage) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tSTATE\tELAPSED")
	var start float64
	for i, r := range raw {
		var e map[string]json.RawMessage
		json.Unmarshal(r, &e)
		var ts float64
		json.Unmarshal(e["timestamp"], &ts)
		if i == 0 {
			start = ts
		}
		var id int64
		var typ string
		json.Unmarshal(e["id"], &id)
		json.Unmarshal(e["type"], &typ)
		state := ""
		for k, v := range e {
			if strings.HasSuffix(k, "EventDetails") {
				var d struct {
					Name  string `json:"name"`
					Index *int   `json:"index"`
				}
				json.Unmarshal(v, &d)
				state = d.Name
				if d.Index != nil {
					state = fmt.Sprintf("%s[%d]", d.Name, *d.Index)
				}
			}
		}
		elapsed := time.Duration(math.Round((ts-start)*1000)) * time.Millisecond
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", id, typ, state, elapsed)
	}
	tw.Flush()
}
