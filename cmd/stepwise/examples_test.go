package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// examplesDir holds the playground's examples; the playground lists them
// from index.json, so a broken example is a broken first impression.
const examplesDir = "../../web/examples"

// example is one web/examples/<id>.json file.
type example struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Definition  json.RawMessage `json:"definition"`
	Input       json.RawMessage `json:"input"`
	MockConfig  json.RawMessage `json:"mockConfig"`
	TestCase    string          `json:"testCase"`
	// Callbacks answer the callback (.waitForTaskToken) states the test
	// case leaves unmocked, as the playground's "Wait for callback" bar
	// lets a user do: by state name, the output to send with
	// SendTaskSuccess, or the error and cause to send with SendTaskFailure.
	Callbacks map[string]struct {
		Output json.RawMessage `json:"output"`
		Error  string          `json:"error"`
		Cause  string          `json:"cause"`
	} `json:"callbacks"`
	// Tasks are the playground's Tasks-tab settings by state name (a JS
	// function answering in the page, say); natively, the mock config's
	// test cases stand in for them.
	Tasks  map[string]json.RawMessage `json:"tasks"`
	Expect struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
		Error  *string         `json:"error"`
		Cause  *string         `json:"cause"`
	} `json:"expect"`
}

// indexEntry is one row of web/examples/index.json.
type indexEntry struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	File        string `json:"file"`
}

// loadExamples reads the index and every example it lists, checking that
// the index and the files agree.
func loadExamples(t *testing.T) []example {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index []indexEntry
	if err := strictUnmarshal(data, &index); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	if len(index) < 12 {
		t.Errorf("index.json lists %d examples, want at least 12", len(index))
	}
	if len(index) > 0 && index[0].ID != "hello-world" {
		t.Errorf("index.json starts with %q; the default example hello-world comes first", index[0].ID)
	}
	var out []example
	listed := map[string]bool{}
	for _, e := range index {
		if listed[e.File] {
			t.Errorf("index.json lists %s twice", e.File)
		}
		listed[e.File] = true
		if e.File != e.ID+".json" {
			t.Errorf("index entry %q: file %q, want %q", e.ID, e.File, e.ID+".json")
		}
		if e.Title == "" || e.Description == "" {
			t.Errorf("index entry %q: title and description are required", e.ID)
		}
		data, err := os.ReadFile(filepath.Join(examplesDir, e.File))
		if err != nil {
			t.Error(err)
			continue
		}
		var ex example
		if err := strictUnmarshal(data, &ex); err != nil {
			t.Errorf("%s: %v", e.File, err)
			continue
		}
		if ex.ID != e.ID || ex.Title != e.Title || ex.Description != e.Description {
			t.Errorf("%s: id/title/description differ from index.json", e.File)
		}
		out = append(out, ex)
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if base := filepath.Base(f); base != "index.json" && !listed[base] {
			t.Errorf("%s is not listed in index.json", base)
		}
	}
	return out
}

// strictUnmarshal decodes JSON rejecting unknown fields, so a misspelt
// "testcase" or "mockconfig" fails here instead of being silently ignored.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// hasTask reports whether a definition (or a branch or processor in it)
// has a Task state.
func hasTask(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		if v["Type"] == "Task" {
			return true
		}
		for _, c := range v {
			if hasTask(c) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, hasTask)
	}
	return false
}

// taskStates returns the names of the Task states anywhere in a
// definition: top level, Parallel branches and Map processors.
func taskStates(v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if states, ok := v["States"].(map[string]any); ok {
			for name, st := range states {
				if m, ok := st.(map[string]any); ok && m["Type"] == "Task" {
					into[name] = true
				}
			}
		}
		for _, c := range v {
			taskStates(c, into)
		}
	case []any:
		for _, c := range v {
			taskStates(c, into)
		}
	}
}

// checkMockConfig checks that the mock config is about this example: it
// names only the example's state machine, mocks only Task states the
// definition has, and every mocked response is used by some test case.
// Step Functions Local would silently ignore each of those mistakes.
func checkMockConfig(t *testing.T, ex example, def any) {
	t.Helper()
	var cfg struct {
		StateMachines   map[string]struct{ TestCases map[string]map[string]string }
		MockedResponses map[string]json.RawMessage
	}
	if err := json.Unmarshal(ex.MockConfig, &cfg); err != nil {
		t.Fatalf("mockConfig: %v", err)
	}
	for name := range cfg.StateMachines {
		if name != ex.ID {
			t.Errorf("mockConfig names state machine %q; the playground creates it as %q", name, ex.ID)
		}
	}
	tasks := map[string]bool{}
	taskStates(def, tasks)
	used := map[string]bool{}
	for tc, byState := range cfg.StateMachines[ex.ID].TestCases {
		for state, resp := range byState {
			if !tasks[state] {
				t.Errorf("test case %q mocks %q, which is not a Task state of the definition", tc, state)
			}
			used[resp] = true
		}
	}
	for name := range cfg.MockedResponses {
		if !used[name] {
			t.Errorf("mocked response %q is not used by any test case", name)
		}
	}
}

// mockTestCases returns the test cases the mock config defines for the
// state machine name, sorted.
func mockTestCases(t *testing.T, cfg json.RawMessage, machine string) []string {
	t.Helper()
	var c struct {
		StateMachines map[string]struct {
			TestCases map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(cfg, &c); err != nil {
		t.Fatalf("mockConfig: %v", err)
	}
	var names []string
	for name := range c.StateMachines[machine].TestCases {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// execution is what DescribeExecution says about a finished run.
type execution struct {
	ExecutionARN string  `json:"executionArn"`
	Status       string  `json:"status"`
	Output       *string `json:"output"`
	Error        *string `json:"error"`
	Cause        *string `json:"cause"`
}

// runExample validates, creates and runs an example's state machine on
// the virtual clock with the mock config wired the way `stepwise run
// --mock-config` wires it, and returns the finished execution and its
// history.
func runExample(t *testing.T, ex example, testCase string) (execution, []json.RawMessage) {
	t.Helper()
	ctx := context.Background()
	opts := sfn.Options{Store: mem.New(), Virtual: true}
	if ex.MockConfig != nil {
		var err error
		if opts.Tasks, err = sfn.MockRunner(ex.MockConfig); err != nil {
			t.Fatalf("mockConfig: %v", err)
		}
	}
	svc := sfn.New(opts)
	def := string(ex.Definition)
	// The callback states go to a handler that only remembers their
	// tokens, as the page's callback mode does; they are answered below.
	var waiting []sfn.HostTask
	svc.SetTaskHandler(&sfn.TaskHandler{
		Handles: func(resource, state string) bool { _, ok := ex.Callbacks[state]; return ok },
		Start:   func(task sfn.HostTask) { waiting = append(waiting, task) },
	})

	var valid struct {
		Result      string            `json:"result"`
		Diagnostics []json.RawMessage `json:"diagnostics"`
	}
	// WARNING includes the warnings too: examples should be spotless
	if err := call(ctx, svc, "ValidateStateMachineDefinition",
		map[string]any{"definition": def, "severity": "WARNING"}, &valid); err != nil {
		t.Fatalf("ValidateStateMachineDefinition: %v", err)
	}
	if valid.Result != "OK" || len(valid.Diagnostics) > 0 {
		t.Fatalf("ValidateStateMachineDefinition: result %s, diagnostics %s", valid.Result, valid.Diagnostics)
	}

	var created struct {
		StateMachineARN string `json:"stateMachineArn"`
	}
	if err := call(ctx, svc, "CreateStateMachine", map[string]any{
		"name": ex.ID, "definition": def, "roleArn": "arn:aws:iam::123456789012:role/stepwise",
	}, &created); err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	arn := created.StateMachineARN
	if testCase != "" {
		arn += "#" + testCase
	}
	var exec execution
	if err := call(ctx, svc, "StartExecution", map[string]any{
		"stateMachineArn": arn, "name": "example", "input": string(ex.Input),
	}, &exec); err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	for len(waiting) > 0 {
		task := waiting[0]
		waiting = waiting[1:]
		cb := ex.Callbacks[task.StateName]
		var err error
		if cb.Error != "" {
			err = call(ctx, svc, "SendTaskFailure", map[string]any{"taskToken": task.Token, "error": cb.Error, "cause": cb.Cause}, nil)
		} else {
			err = call(ctx, svc, "SendTaskSuccess", map[string]any{"taskToken": task.Token, "output": string(cb.Output)}, nil)
		}
		if err != nil {
			t.Fatalf("answering the callback of %s: %v", task.StateName, err)
		}
	}
	if err := call(ctx, svc, "DescribeExecution", map[string]any{"executionArn": exec.ExecutionARN}, &exec); err != nil {
		t.Fatalf("DescribeExecution: %v", err)
	}
	events, err := fetchHistory(ctx, svc, exec.ExecutionARN)
	if err != nil {
		t.Fatalf("GetExecutionHistory: %v", err)
	}
	return exec, events
}

// checkMocksCover fails the test when a task of the run found no mocked
// response: the example would then only demonstrate the missing mock.
func checkMocksCover(t *testing.T, testCase string, exec execution, events []json.RawMessage) {
	t.Helper()
	if exec.Status == "RUNNING" {
		t.Errorf("test case %q: the execution is still RUNNING (waiting for a task result nobody sends)", testCase)
	}
	for _, e := range events {
		s := string(e)
		if strings.Contains(s, "Stepwise has no handler for resource") || strings.Contains(s, "has no entry for invocation") {
			t.Errorf("test case %q: a task was not mocked: %s", testCase, s)
		}
	}
}

func TestExamples(t *testing.T) {
	for _, ex := range loadExamples(t) {
		t.Run(ex.ID, func(t *testing.T) {
			var def any
			if err := json.Unmarshal(ex.Definition, &def); err != nil {
				t.Fatalf("definition: %v", err)
			}
			if _, ok := def.(map[string]any); !ok {
				t.Fatal("definition is not an object")
			}
			var in any
			if err := json.Unmarshal(ex.Input, &in); err != nil {
				t.Fatalf("input: %v", err)
			}
			if _, ok := in.(map[string]any); !ok {
				t.Fatal("input is not an object")
			}
			if ql, ok := def.(map[string]any)["QueryLanguage"]; ok && ql != "JSONPath" && ql != "JSONata" {
				t.Errorf("QueryLanguage %v, want JSONPath or JSONata", ql)
			}
			if hasTask(def) && ex.MockConfig == nil {
				t.Fatal("the definition has Task states but the example has no mockConfig")
			}
			if len(ex.Tasks) > 0 {
				// The default run is answered by JS in the page (the
				// browser tests run it); every task state needs a setting.
				tasks := map[string]bool{}
				taskStates(def, tasks)
				for st := range tasks {
					if _, ok := ex.Tasks[st]; !ok {
						t.Errorf("tasks has no setting for Task state %q", st)
					}
				}
				if ex.TestCase != "" {
					t.Error("an example answered by page settings has no default test case")
				}
				return
			}
			if hasTask(def) && ex.TestCase == "" {
				t.Fatal("the definition has Task states but the example has no testCase")
			}
			if ex.MockConfig != nil {
				checkMockConfig(t, ex, def)
			}
			if ex.TestCase != "" && !slices.Contains(mockTestCases(t, ex.MockConfig, ex.ID), ex.TestCase) {
				t.Fatalf("mockConfig has no test case %q for state machine %q", ex.TestCase, ex.ID)
			}
			switch ex.Expect.Status {
			case "SUCCEEDED", "FAILED":
			default:
				t.Fatalf("expect.status %q, want SUCCEEDED or FAILED", ex.Expect.Status)
			}

			exec, events := runExample(t, ex, ex.TestCase)
			checkMocksCover(t, ex.TestCase, exec, events)
			if exec.Status != ex.Expect.Status {
				t.Fatalf("status %s (error %q, cause %q), want %s", exec.Status, deref(exec.Error), deref(exec.Cause), ex.Expect.Status)
			}
			if ex.Expect.Output != nil && !jsonEqual(t, deref(exec.Output), string(ex.Expect.Output)) {
				t.Errorf("output\n %s\nwant\n %s", deref(exec.Output), ex.Expect.Output)
			}
			if ex.Expect.Error != nil && deref(exec.Error) != *ex.Expect.Error {
				t.Errorf("error %q, want %q", deref(exec.Error), *ex.Expect.Error)
			}
			if ex.Expect.Cause != nil && deref(exec.Cause) != *ex.Expect.Cause {
				t.Errorf("cause %q, want %q", deref(exec.Cause), *ex.Expect.Cause)
			}
			if len(events) < 2 {
				t.Fatalf("history has %d events", len(events))
			}
			var last struct{ Type string }
			json.Unmarshal(events[len(events)-1], &last)
			if want := map[string]string{"SUCCEEDED": "ExecutionSucceeded", "FAILED": "ExecutionFailed"}[ex.Expect.Status]; last.Type != want {
				t.Errorf("last event %s, want %s", last.Type, want)
			}
		})
	}
}

// TestExamplesOtherTestCases runs the test cases an example's mock config
// offers besides the default one: the playground lets users pick them, so
// each must run to the end with every task it reaches mocked.
func TestExamplesOtherTestCases(t *testing.T) {
	for _, ex := range loadExamples(t) {
		if ex.MockConfig == nil {
			continue
		}
		for _, tc := range mockTestCases(t, ex.MockConfig, ex.ID) {
			if tc == ex.TestCase {
				continue
			}
			t.Run(ex.ID+"#"+tc, func(t *testing.T) {
				exec, events := runExample(t, ex, tc)
				checkMocksCover(t, tc, exec, events)
			})
		}
	}
}

// TestExamplesCLI runs every example through `stepwise run`, as a user
// who saved the playground's files would, and checks the CLI agrees with
// the expectation.
func TestExamplesCLI(t *testing.T) {
	for _, ex := range loadExamples(t) {
		t.Run(ex.ID, func(t *testing.T) {
			if len(ex.Callbacks) > 0 || len(ex.Tasks) > 0 {
				t.Skip("answered in the page (a person's callback, a JS function); TestExamplesOtherTestCases runs its test cases")
			}
			dir := t.TempDir()
			write := func(name string, data []byte) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			// the file name becomes the state machine name the mock config uses
			args := []string{"run", write(ex.ID+".json", ex.Definition), "--input", "@" + write("input.json", ex.Input)}
			if ex.MockConfig != nil {
				args = append(args, "--mock-config", write("mock.json", ex.MockConfig))
			}
			if ex.TestCase != "" {
				args = append(args, "--test-case", ex.TestCase)
			}
			code, stdout, stderr := cli(t, "", args...)
			switch ex.Expect.Status {
			case "SUCCEEDED":
				if code != 0 {
					t.Fatalf("exit %d, stderr %q", code, stderr)
				}
				if ex.Expect.Output != nil && !jsonEqual(t, stdout, string(ex.Expect.Output)) {
					t.Errorf("stdout %s, want %s", stdout, ex.Expect.Output)
				}
			case "FAILED":
				if code != 1 {
					t.Fatalf("exit %d, want 1; stdout %q, stderr %q", code, stdout, stderr)
				}
				if !strings.Contains(stderr, "execution FAILED") {
					t.Errorf("stderr %q does not report a failed execution", stderr)
				}
				if ex.Expect.Error != nil && !strings.Contains(stderr, "error: "+*ex.Expect.Error+"\n") {
					t.Errorf("stderr %q, want error %q", stderr, *ex.Expect.Error)
				}
			}
		})
	}
}
