package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// benchExpected is the part of a workload's expected.json the bench
// command checks against.
type benchExpected struct {
	OutputSHA256    string `json:"output_sha256"`
	OutputBytes     int    `json:"output_bytes"`
	StateEntered    int    `json:"state_entered"`
	AWSWorkflowType string `json:"aws_workflow_type"`
}

// benchResult is the JSON line of the adapter contract in
// ../shared/bench/README.md.
type benchResult struct {
	Engine          string  `json:"engine"`
	Workload        string  `json:"workload"`
	Status          string  `json:"status"`
	SecondsToFinish float64 `json:"seconds_to_finish"`
	HistoryEvents   int     `json:"history_events"`
	StateEntered    int     `json:"state_entered"`
	PeakRSSMB       float64 `json:"peak_rss_mb"`
	OutputBytes     int     `json:"output_bytes"`
	OutputSHA256    string  `json:"output_sha256"`
	OutputOK        bool    `json:"output_ok"`
	// Runs is how many warm runs the median is taken over.
	Runs int `json:"runs"`
	// Error says what went wrong when Status is ERROR or FAILED.
	Error string `json:"error,omitempty"`
}

// peakRSSMB reports the peak resident memory of the process in MB, or 0
// where the platform cannot tell (js/wasm: the bench script measures the
// Node process from outside). Platform files set it.
var peakRSSMB = func() float64 { return 0 }

// benchCommand runs one workload folder through the API and prints one
// JSON line (the adapter contract). Errors about the workload itself
// (missing files, a definition the service refuses) are reported as a
// status=ERROR line, so a benchmark driver always gets a line to parse.
func benchCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	runs := fs.Int("runs", 5, "timed warm runs to take the median of (fewer when a run is slow)")
	warmup := fs.Int("warmup", 10, "untimed runs first (fewer when a run is slow)")
	budget := fs.Duration("budget", 10*time.Second, "stop adding warm-up runs, and then timed runs, once they took this long in all")
	engine := fs.String("engine", "", "engine label (default stepwise, stepwise-wasm under js)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole command to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the whole command to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		runtime.MemProfileRate = 4096
		defer func() {
			if f, err := os.Create(*memProfile); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	if fs.NArg() != 1 {
		return errors.New("usage: stepwise bench [-runs N] [-warmup N] [-budget D] [-engine NAME] [-cpuprofile FILE] [-memprofile FILE] WORKLOAD_DIR")
	}
	dir := fs.Arg(0)
	res := benchResult{Engine: *engine, Workload: filepath.Base(filepath.Clean(dir))}
	if res.Engine == "" {
		res.Engine = "stepwise"
		if runtime.GOOS == "js" {
			res.Engine = "stepwise-wasm"
		}
	}
	if err := benchWorkload(ctx, dir, benchPlan{runs: max(*runs, 1), warmup: max(*warmup, 0), budget: *budget}, &res); err != nil {
		res.Status, res.Error = "ERROR", err.Error()
	}
	res.PeakRSSMB = peakRSSMB()
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", line)
	return err
}

// benchPlan says how many times to run a workload.
type benchPlan struct {
	runs, warmup int
	budget       time.Duration
}

// benchWorkload creates the workload's machine, runs it plan.warmup times
// untimed and then up to plan.runs times timed, and fills res from the
// median timed run and the last run's output and history.
//
// The warm-up matters most under js/wasm: Node first runs baseline
// (Liftoff) code and swaps in optimised code for hot functions after a few
// runs; without warm-up the median is 2-3 times slower.
func benchWorkload(ctx context.Context, dir string, plan benchPlan, res *benchResult) error {
	def, err := os.ReadFile(filepath.Join(dir, "definition.json"))
	if err != nil {
		return err
	}
	input, err := os.ReadFile(filepath.Join(dir, "input.json"))
	if err != nil {
		return err
	}
	expData, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		return err
	}
	var exp benchExpected
	if err := json.Unmarshal(expData, &exp); err != nil {
		return fmt.Errorf("expected.json: %w", err)
	}
	// STANDARD whatever AWS would need (expected.json's aws_workflow_type
	// says EXPRESS for the workloads over 25,000 events): only STANDARD
	// executions keep a history to count, and the limit is lifted instead.
	svc := sfn.New(sfn.Options{Store: mem.New(), Virtual: true, MaxHistoryEvents: -1})
	var created struct {
		StateMachineARN string `json:"stateMachineArn"`
	}
	req := map[string]any{"name": sanitizeName(res.Workload), "definition": string(def),
		"type": "STANDARD", "roleArn": "arn:aws:iam::123456789012:role/stepwise"}
	if err := call(ctx, svc, "CreateStateMachine", req, &created); err != nil {
		return fmt.Errorf("CreateStateMachine: %w", err)
	}

	var times []float64
	var spent time.Duration
	var arn string
	var warm time.Duration
	warming := plan.warmup > 0
	for i := 0; len(times) < plan.runs; i++ {
		body, err := json.Marshal(map[string]any{"stateMachineArn": created.StateMachineARN,
			"name": fmt.Sprintf("bench-%d", i), "input": string(input)})
		if err != nil {
			return err
		}
		runtime.GC()
		t0 := time.Now()
		resp, err := svc.Invoke(ctx, "StartExecution", body)
		d := time.Since(t0)
		if err != nil {
			return fmt.Errorf("StartExecution: %w", err)
		}
		var started struct {
			ExecutionARN string `json:"executionArn"`
		}
		if err := json.Unmarshal(resp, &started); err != nil {
			return err
		}
		arn = started.ExecutionARN
		if warming {
			warm += d
			if warming = i+1 < plan.warmup && warm <= plan.budget; !warming && warm > plan.budget {
				// Too slow to repeat: the last warm-up run is the figure.
				times = append(times, d.Seconds())
				break
			}
			continue
		}
		times = append(times, d.Seconds())
		if spent += d; spent > plan.budget {
			break
		}
	}
	res.Runs = len(times)
	slices.Sort(times)
	res.SecondsToFinish = times[len(times)/2]
	if len(times)%2 == 0 {
		res.SecondsToFinish = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}

	var desc struct {
		Status string  `json:"status"`
		Output *string `json:"output"`
		Error  *string `json:"error"`
		Cause  *string `json:"cause"`
	}
	if err := call(ctx, svc, "DescribeExecution", map[string]any{"executionArn": arn}, &desc); err != nil {
		return fmt.Errorf("DescribeExecution: %w", err)
	}
	if res.HistoryEvents, res.StateEntered, err = benchCountHistory(ctx, svc, arn); err != nil {
		return fmt.Errorf("GetExecutionHistory: %w", err)
	}
	switch desc.Status {
	case "SUCCEEDED":
	case "RUNNING":
		res.Status, res.Error = "ERROR", "the execution did not end inside StartExecution"
		return nil
	default:
		res.Status, res.Error = desc.Status, deref(desc.Error)+": "+deref(desc.Cause)
		return nil
	}
	canon, err := canonicalJSON([]byte(deref(desc.Output)))
	if err != nil {
		res.Status, res.Error = "WRONG_OUTPUT", "output: "+err.Error()
		return nil
	}
	sum := sha256.Sum256(canon)
	res.OutputBytes = len(canon)
	res.OutputSHA256 = hex.EncodeToString(sum[:])
	res.OutputOK = res.OutputSHA256 == exp.OutputSHA256
	res.Status = "SUCCEEDED"
	if !res.OutputOK {
		res.Status = "WRONG_OUTPUT"
	}
	return nil
}

// benchCountHistory pages through an execution's history and counts its
// events and its StateEntered events.
func benchCountHistory(ctx context.Context, svc *sfn.Service, arn string) (events, entered int, err error) {
	token := ""
	for {
		in := map[string]any{"executionArn": arn, "maxResults": 1000, "includeExecutionData": false}
		if token != "" {
			in["nextToken"] = token
		}
		var page struct {
			Events []struct {
				Type string `json:"type"`
			} `json:"events"`
			NextToken string `json:"nextToken"`
		}
		if err := call(ctx, svc, "GetExecutionHistory", in, &page); err != nil {
			return 0, 0, err
		}
		events += len(page.Events)
		for _, e := range page.Events {
			if strings.HasSuffix(e.Type, "StateEntered") {
				entered++
			}
		}
		if token = page.NextToken; token == "" {
			return events, entered, nil
		}
	}
}

// canonicalJSON is the README's canonical form: keys sorted, no white
// space, UTF-8 without ASCII escaping, numbers as written.
func canonicalJSON(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
