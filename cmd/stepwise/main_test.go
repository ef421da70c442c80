package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/history"
)

// cli runs a command line through run and returns its exit code and output.
func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Errorf("not JSON: %q: %v", got, err)
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return bytes.Equal(gb, wb)
}

const (
	hello      = "examples/hello.asl.json"
	helloInput = "@examples/hello.input.json"
)

func TestRunHello(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", hello, "--input", helloInput)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if want := `{"greeting":"Hello, Ada!","wait":true,"farewell":"Goodbye!"}` + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing", stderr)
	}
}

func TestRunHelloNoWait(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", hello, "--input", `{"name":"Grace","wait":false}`)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if want := `{"greeting":"Hello, Grace!","wait":false,"farewell":"Goodbye!"}` + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
}

func TestRunHistoryTable(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", hello, "--input", helloInput, "--history")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("stdout %q", stdout)
	}
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "ID TYPE STATE ELAPSED" {
		t.Errorf("header %q", lines[0])
	}
	var types []string
	rows := map[string][]string{}
	for _, l := range lines[1 : len(lines)-1] {
		f := strings.Fields(l)
		types = append(types, f[1])
		rows[f[1]] = f
	}
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered", "ChoiceStateExited",
		"WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("event types\n got %q\nwant %q", types, want)
	}
	if got := strings.Join(rows["WaitStateEntered"], " "); got != "6 WaitStateEntered WaitAnHour 0s" {
		t.Errorf("WaitStateEntered row %q", got)
	}
	if got := strings.Join(rows["WaitStateExited"], " "); got != "7 WaitStateExited WaitAnHour 1h0m0s" {
		t.Errorf("WaitStateExited row %q", got)
	}
	if got := strings.Join(rows["ExecutionSucceeded"], " "); got != "10 ExecutionSucceeded 1h0m0s" {
		t.Errorf("ExecutionSucceeded row %q", got)
	}
	// The output follows the table.
	if !jsonEqual(t, lines[len(lines)-1], `{"greeting":"Hello, Ada!","wait":true,"farewell":"Goodbye!"}`) {
		t.Errorf("last line %q, want the output", lines[len(lines)-1])
	}
}

func TestRunHistoryJSON(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", hello, "--input", helloInput, "--json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var page struct {
		Events []history.Event `json:"events"`
	}
	if err := json.Unmarshal([]byte(stdout), &page); err != nil {
		t.Fatalf("stdout is not GetExecutionHistory JSON: %v\n%s", err, stdout)
	}
	if len(page.Events) != 10 {
		t.Fatalf("%d events, want 10", len(page.Events))
	}
	start := page.Events[0].Timestamp
	for i, e := range page.Events {
		if e.ID != int64(i+1) {
			t.Errorf("event %d has id %d", i, e.ID)
		}
		if !history.Known(e.Type) {
			t.Errorf("event %d: unknown type %q", e.ID, e.Type)
		}
		if key := history.DetailsKey(e.Type); key != "" && e.Details == nil {
			t.Errorf("event %d (%s): no %s", e.ID, e.Type, key)
		}
	}
	if e := page.Events[0]; e.Type != history.ExecutionStarted {
		t.Errorf("first event %s", e.Type)
	} else if d := e.Details.(*history.ExecutionStartedDetails); !jsonEqual(t, string(d.Input), `{"name":"Ada","wait":true}`) {
		t.Errorf("ExecutionStarted input %s", d.Input)
	}
	exited := page.Events[6]
	if exited.Type != history.WaitStateExited || exited.PreviousEventID != 6 {
		t.Errorf("event 7: %s after %d", exited.Type, exited.PreviousEventID)
	}
	if got := exited.Timestamp.Sub(start).String(); got != "1h0m0s" {
		t.Errorf("WaitStateExited %s after the start, want 1h0m0s", got)
	}
	last := page.Events[9]
	if d, ok := last.Details.(*history.OutputDetails); !ok || last.Type != history.ExecutionSucceeded ||
		!jsonEqual(t, string(d.Output), `{"greeting":"Hello, Ada!","wait":true,"farewell":"Goodbye!"}`) {
		t.Errorf("last event %s %#v", last.Type, last.Details)
	}
	// --json prints only the history: nothing follows the JSON document.
	if dec := json.NewDecoder(strings.NewReader(stdout)); dec.Decode(new(any)) != nil || dec.More() {
		t.Errorf("stdout holds more than one JSON document")
	}
}

func TestRunFailure(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", "testdata/fail.asl.json")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout %q stderr %q", code, stdout, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
	for _, want := range []string{"FAILED", "error: OrderRejected", "cause: The item is out of stock."} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not contain %q", stderr, want)
		}
	}
}

func TestRunFailureHistory(t *testing.T) {
	code, stdout, _ := cli(t, "", "run", "testdata/fail.asl.json", "--history")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{"FailStateEntered", "ExecutionFailed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("history table lacks %s:\n%s", want, stdout)
		}
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string // in stderr
	}{
		{nil, 2, "usage: stepwise"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run"}, 2, "usage: stepwise run"},
		{[]string{"run", "testdata/no-such-file.json"}, 2, "no-such-file.json"},
		{[]string{"run", hello, "--no-such-flag"}, 2, "no-such-flag"},
		{[]string{"run", hello, "--input", "@testdata/no-such-input.json"}, 2, "no-such-input.json"},
		{[]string{"run", chargeDef, "--mock-config", "testdata/bad.mock.json", "--test-case", "Backwards"}, 2, `mock config: MockedResponses.ChargeBackwards: invocation key "3-1" is not a valid range`},
		{[]string{"run", chargeDef, "--mock-config", "testdata/no-such-mock.json"}, 2, "no-such-mock.json"},
		{[]string{"run", "testdata/invalid.asl.json"}, 1, "InvalidDefinition"},
		{[]string{"run", hello, "--input", "{not json"}, 1, "InvalidExecutionInput"},
		{[]string{"validate"}, 2, "usage: stepwise validate"},
	}
	for _, tt := range tests {
		code, _, stderr := cli(t, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("stepwise %q: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
	if code, stdout, _ := cli(t, "", "help"); code != 0 || !strings.Contains(stdout, "usage: stepwise") {
		t.Errorf("help: exit %d, stdout %q", code, stdout)
	}
}

const (
	chargeDef  = "testdata/charge.asl.json"
	chargeMock = "testdata/charge.mock.json"
)

func TestRunMockRetry(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", chargeDef, "--mock-config", chargeMock, "--test-case", "FlakyCharge",
		"--input", `{"card":"4111"}`, "--history")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	var types, elapsed []string
	out := ""
	for _, l := range strings.Split(stdout, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && strings.HasPrefix(f[1], "Task"):
			types = append(types, f[1])
			elapsed = append(elapsed, f[len(f)-1])
		case len(f) > 0 && !regexp.MustCompile(`^(ID|\d+)$`).MatchString(f[0]):
			out += l
		}
	}
	want := []string{"TaskStateEntered",
		"TaskScheduled", "TaskStarted", "TaskFailed", // "0": Lambda.ServiceException
		"TaskScheduled", "TaskStarted", "TaskFailed", // "1-2": Lambda.TooManyRequestsException
		"TaskScheduled", "TaskStarted", "TaskFailed",
		"TaskScheduled", "TaskStarted", "TaskSucceeded", // "3": Return
		"TaskStateExited"}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("task events\n got %q\nwant %q", types, want)
	}
	// IntervalSeconds 2, BackoffRate 2: retries after 2 s, 4 s and 8 s.
	if len(elapsed) == len(want) {
		for i, w := range map[int]string{1: "0s", 4: "2s", 7: "6s", 10: "14s"} {
			if elapsed[i] != w {
				t.Errorf("%s #%d at %s, want %s", types[i], i, elapsed[i], w)
			}
		}
	}
	if !jsonEqual(t, out, `{"charged":true,"amount":42}`) {
		t.Errorf("output %q", out)
	}
}

// The failures the mock throws reach the history with their error and cause.
func TestRunMockRetryJSON(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", chargeDef, "--mock-config", chargeMock, "--test-case", "FlakyCharge", "--json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var page struct {
		Events []history.Event `json:"events"`
	}
	if err := json.Unmarshal([]byte(stdout), &page); err != nil {
		t.Fatal(err)
	}
	var failures []string
	for _, e := range page.Events {
		if e.Type == history.TaskFailed {
			d := e.Details.(*history.TaskDetails)
			failures = append(failures, d.ResourceType+"."+d.Resource+" "+d.Error+": "+d.Cause)
		}
	}
	want := []string{
		"lambda.invoke Lambda.ServiceException: The service is unavailable.",
		"lambda.invoke Lambda.TooManyRequestsException: Rate exceeded.",
		"lambda.invoke Lambda.TooManyRequestsException: Rate exceeded.",
	}
	if strings.Join(failures, "\n") != strings.Join(want, "\n") {
		t.Errorf("TaskFailed events\n got %q\nwant %q", failures, want)
	}
}

// AWS writes state data compactly whatever the spacing of a task's result.
func TestRunMockOutputCompact(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", chargeDef, "--mock-config", chargeMock, "--test-case", "FlakyCharge")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if want := `{"charged":true,"amount":42}` + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
}

func TestRunMockThrowUncaught(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", chargeDef, "--mock-config", chargeMock, "--test-case", "ChargeRejected")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout %q", code, stdout)
	}
	for _, want := range []string{"error: CardDeclined", "cause: Insufficient funds."} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
}

// Without the mock config, the Task state has no handler and fails.
func TestRunUnmocked(t *testing.T) {
	code, _, stderr := cli(t, "", "run", chargeDef)
	if code != 1 || !strings.Contains(stderr, "error: States.TaskFailed") {
		t.Errorf("exit %d, stderr %q; want exit 1 and States.TaskFailed", code, stderr)
	}
}

// The mock file names its machine "PaymentsMachine", not "charge" after the
// definition's file: the CLI finds the machine that has the test case.
func TestMockMachineName(t *testing.T) {
	tests := []struct {
		file, testCase, fallback, want string
	}{
		{chargeMock, "FlakyCharge", "charge", "PaymentsMachine"},
		{chargeMock, "ChargeRejected", "charge", "PaymentsMachine"},
		{chargeMock, "FlakyCharge", "PaymentsMachine", "PaymentsMachine"},
		{chargeMock, "NoSuchCase", "charge", "charge"},
		{"testdata/no-such-file.json", "FlakyCharge", "charge", "charge"},
		{"testdata/fail.asl.json", "FlakyCharge", "charge", "charge"},
	}
	for _, tt := range tests {
		if got := mockMachineName(tt.file, tt.testCase, tt.fallback); got != tt.want {
			t.Errorf("mockMachineName(%q, %q, %q) = %q, want %q", tt.file, tt.testCase, tt.fallback, got, tt.want)
		}
	}
}

// When the definition's file is named after the machine, that name wins.
func TestMockMachineNamePrefersFileName(t *testing.T) {
	dir := t.TempDir()
	cfg := `{"StateMachines":{"Other":{"TestCases":{"T":{"Charge":"R"}}},"Mine":{"TestCases":{"T":{"Charge":"R"}}}},` +
		`"MockedResponses":{"R":{"0":{"Return":1}}}}`
	file := filepath.Join(dir, "mock.json")
	if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
		t.Skipf("cannot write a temporary file here: %v", err)
	}
	if got := mockMachineName(file, "T", "Mine"); got != "Mine" {
		t.Errorf("got %q, want Mine", got)
	}
}

func TestRunLog(t *testing.T) {
	file := filepath.Join(t.TempDir(), "log.jsonl")
	for _, dest := range []string{"-", file} {
		code, stdout, stderr := cli(t, "", "run", hello, "--input", helloInput, "--log", dest)
		if code != 0 {
			t.Fatalf("--log %s: exit %d, stderr %q", dest, code, stderr)
		}
		if !jsonEqual(t, stdout, `{"greeting":"Hello, Ada!","wait":true,"farewell":"Goodbye!"}`) {
			t.Errorf("--log %s: stdout %q, want only the output", dest, stdout)
		}
		logged := stderr
		if dest != "-" {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			logged = string(data)
		}
		var types []string
		for _, l := range strings.Split(strings.TrimSuffix(logged, "\n"), "\n") {
			var rec struct {
				ID           string `json:"id"`
				Type         string `json:"type"`
				ExecutionARN string `json:"execution_arn"`
			}
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("--log %s: line %q: %v", dest, l, err)
			}
			if !strings.Contains(rec.ExecutionARN, ":execution:hello:") {
				t.Errorf("--log %s: execution_arn %q", dest, rec.ExecutionARN)
			}
			types = append(types, rec.Type)
		}
		if len(types) != 10 || types[0] != "ExecutionStarted" || types[6] != "WaitStateExited" || types[9] != "ExecutionSucceeded" {
			t.Errorf("--log %s: record types %q", dest, types)
		}
	}
}

func TestValidate(t *testing.T) {
	code, stdout, _ := cli(t, "", "validate", hello)
	if code != 0 || stdout != hello+": OK\n" {
		t.Errorf("valid definition: exit %d, stdout %q", code, stdout)
	}

	code, stdout, _ = cli(t, "", "validate", "testdata/invalid.asl.json")
	if code != 1 {
		t.Errorf("invalid definition: exit %d, want 1", code)
	}
	for _, want := range []string{
		"testdata/invalid.asl.json:/States/Start/Next: ERROR MISSING_TRANSITION_TARGET: Missing 'Next' target: Missing",
	} {
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("stdout %q lacks the line %q", stdout, want)
		}
	}
	if strings.Contains(stdout, "OK") {
		t.Errorf("invalid definition reported OK: %q", stdout)
	}

	if code, _, stderr := cli(t, "", "validate", "testdata/no-such-file.json"); code != 2 || !strings.Contains(stderr, "no-such-file.json") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
}

func TestConformance(t *testing.T) {
	execution := map[string]any{
		"kind": "execution",
		"name": "mocked lambda",
		"definition": map[string]any{
			"StartAt": "Call",
			"States": map[string]any{
				"Call": map[string]any{
					"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
					"Parameters":     map[string]any{"FunctionName": "f", "Payload.$": "$"},
					"ResultSelector": map[string]any{"value.$": "$.Payload"},
					"End":            true,
				},
			},
		},
		"input":            `{"n":1}`,
		"stateMachineType": "STANDARD",
		"mocks": map[string]any{
			"Call": []any{map[string]any{"resourceType": "lambda", "resource": "invoke", "outcome": "success",
				"output": map[string]any{"StatusCode": 200, "Payload": map[string]any{"doubled": 2}}}},
		},
		"context": map[string]any{"accountId": "111111111111", "region": "us-east-1",
			"stateMachineName": "ConformanceStateMachine1", "executionName": "conformance-execution-1"},
	}
	validation := map[string]any{
		"kind": "validation", "api": "CreateStateMachine", "stateMachineType": "STANDARD",
		"definition": `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"}}}`,
	}
	var in bytes.Buffer
	for _, req := range []any{execution, validation} {
		b, _ := json.Marshal(req)
		in.Write(b)
		in.WriteString("\n\n") // blank lines are skipped
	}
	code, stdout, stderr := cli(t, in.String(), "conformance")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), stdout)
	}

	var exec struct {
		Status string            `json:"status"`
		Output *string           `json:"output"`
		Error  *string           `json:"error"`
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &exec); err != nil {
		t.Fatal(err)
	}
	if exec.Status != "SUCCEEDED" || exec.Output == nil || !jsonEqual(t, *exec.Output, `{"value":{"doubled":2}}`) || exec.Error != nil {
		t.Errorf("execution response %s", lines[0])
	}
	var types []string
	for _, raw := range exec.Events {
		var e history.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatalf("event %s: %v", raw, err)
		}
		types = append(types, string(e.Type))
	}
	want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited ExecutionSucceeded"
	if strings.Join(types, " ") != want {
		t.Errorf("event types\n got %s\nwant %s", strings.Join(types, " "), want)
	}

	var val struct {
		Accepted *bool  `json:"accepted"`
		Error    string `json:"error"`
		Message  string `json:"message"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &val); err != nil {
		t.Fatal(err)
	}
	if val.Accepted == nil || *val.Accepted || val.Error != "InvalidDefinition" ||
		!strings.Contains(val.Message, "MISSING_TRANSITION_TARGET") || !strings.Contains(val.Message, "/States/A/Next") {
		t.Errorf("validation response %s", lines[1])
	}
}

func TestConformanceBadRequest(t *testing.T) {
	code, stdout, _ := cli(t, "{nope\n", "conformance")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var resp map[string]any
	if err := json.Unmarshal([]byte(stdout), &resp); err != nil || resp["status"] != "ERROR" || resp["error"] != "BadRequest" {
		t.Errorf("stdout %q", stdout)
	}
}

func TestCauseText(t *testing.T) {
	tests := []struct {
		raw, outcome, want string
	}{
		{``, "TaskFailed", ""},
		{`null`, "TaskFailed", ""},
		{`"plain text"`, "TaskFailed", "plain text"},
		{`{"a": [1, 2], "b": "é"}`, "TaskFailed", `{"a":[1,2],"b":"é"}`},
		{`{"a":[1,2],"b":"é\n"}`, "LambdaFunctionFailed", `{"a": [1, 2], "b": "\u00e9\n"}`},
		{`{"e":"😀"}`, "LambdaFunctionFailed", `{"e": "\ud83d\ude00"}`},
	}
	for _, tt := range tests {
		if got := causeText(json.RawMessage(tt.raw), tt.outcome); got != tt.want {
			t.Errorf("causeText(%s, %s) = %q, want %q", tt.raw, tt.outcome, got, tt.want)
		}
	}
}

// EXPRESS machines run through StartSyncExecution.
func TestRunExpress(t *testing.T) {
	code, stdout, stderr := cli(t, "", "run", hello, "--input", helloInput, "--type", "EXPRESS")
	if code != 0 || !jsonEqual(t, stdout, `{"greeting":"Hello, Ada!","wait":true,"farewell":"Goodbye!"}`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = cli(t, "", "run", "testdata/fail.asl.json", "--type", "EXPRESS")
	if code != 1 || !strings.Contains(stderr, "error: OrderRejected") || !strings.Contains(stderr, "cause: The item is out of stock.") {
		t.Errorf("failing EXPRESS machine: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = cli(t, "", "run", hello, "--type", "SOMETIMES")
	if code != 1 || !strings.Contains(stderr, "ValidationException") {
		t.Errorf("bad --type: exit %d, stderr %q", code, stderr)
	}
}
