package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// conformanceRequest is one request of the engine contract in
// ../shared/conformance/README.md.
type conformanceRequest struct {
	Kind             string                       `json:"kind"`
	API              string                       `json:"api"`
	Definition       json.RawMessage              `json:"definition"`
	Input            string                       `json:"input"`
	StateMachineType string                       `json:"stateMachineType"`
	Mocks            map[string][]conformanceMock `json:"mocks"`
	Context          struct {
		AccountID        string `json:"accountId"`
		Region           string `json:"region"`
		RoleARN          string `json:"roleArn"`
		StateMachineName string `json:"stateMachineName"`
		ExecutionName    string `json:"executionName"`
	} `json:"context"`
}

// conformanceMock is one recorded task invocation.
type conformanceMock struct {
	Outcome   string          `json:"outcome"`
	Output    json.RawMessage `json:"output"`
	Error     *string         `json:"error"`
	Cause     json.RawMessage `json:"cause"`
	Submitted json.RawMessage `json:"submitted"`
}

// conformanceCommand answers JSON-lines requests until stdin ends.
func conformanceCommand(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	w := bufio.NewWriter(stdout)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var req conformanceRequest
		var resp any
		if err := json.Unmarshal(line, &req); err != nil {
			resp = map[string]any{"status": "ERROR", "error": "BadRequest", "cause": err.Error()}
		} else if req.Kind == "validation" {
			resp = conformanceValidation(ctx, &req)
		} else {
			resp = conformanceExecution(ctx, &req)
		}
		b, _ := json.Marshal(resp)
		w.Write(b)
		w.WriteByte('\n')
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return sc.Err()
}

func conformanceValidation(ctx context.Context, req *conformanceRequest) any {
	var def string
	if err := json.Unmarshal(req.Definition, &def); err != nil {
		def = string(req.Definition)
	}
	svc := sfn.New(sfn.Options{Store: mem.New()})
	if req.API == "ValidateStateMachineDefinition" {
		var out struct {
			Result      string            `json:"result"`
			Diagnostics []json.RawMessage `json:"diagnostics"`
		}
		if err := call(ctx, svc, "ValidateStateMachineDefinition", map[string]any{"definition": def, "type": req.StateMachineType}, &out); err != nil {
			return map[string]any{"accepted": false, "error": err.Error()}
		}
		return map[string]any{"accepted": out.Result == "OK", "result": out.Result, "diagnostics": out.Diagnostics}
	}
	err := call(ctx, svc, "CreateStateMachine", map[string]any{
		"name": "validation", "definition": def, "type": req.StateMachineType,
		"roleArn": "arn:aws:iam::111111111111:role/conformance-role",
	}, nil)
	if err == nil {
		return map[string]any{"accepted": true}
	}
	if e, ok := apiError(err); ok {
		return map[string]any{"accepted": false, "error": e.Code, "message": e.Message}
	}
	return map[string]any{"accepted": false, "error": err.Error()}
}

const conformanceTestCase = "conformance"

func conformanceExecution(ctx context.Context, req *conformanceRequest) any {
	c := req.Context
	if c.StateMachineName == "" {
		c.StateMachineName = "ConformanceStateMachine"
	}
	if c.RoleARN == "" {
		c.RoleARN = "arn:aws:iam::111111111111:role/conformance-role"
	}
	opts := sfn.Options{Store: mem.New(), Region: c.Region, AccountID: c.AccountID, Virtual: true}
	cfg, err := mockConfig(c.StateMachineName, req.Mocks)
	if err == nil {
		opts.Tasks, err = sfn.MockRunner(cfg)
	}
	if err != nil {
		return map[string]any{"status": "ERROR", "error": "MockConfig", "cause": err.Error()}
	}
	svc := sfn.New(opts)
	fail := func(err error) any {
		if e, ok := apiError(err); ok {
			return map[string]any{"status": "ERROR", "error": e.Code, "cause": e.Message}
		}
		return map[string]any{"status": "ERROR", "error": "Error", "cause": err.Error()}
	}
	var created struct {
		StateMachineARN string `json:"stateMachineArn"`
	}
	if err := call(ctx, svc, "CreateStateMachine", map[string]any{
		"name": c.StateMachineName, "definition": string(req.Definition), "roleArn": c.RoleARN, "type": req.StateMachineType,
	}, &created); err != nil {
		return fail(err)
	}
	arn := created.StateMachineARN + "#" + conformanceTestCase
	start := map[string]any{"stateMachineArn": arn, "input": req.Input}
	if c.ExecutionName != "" {
		start["name"] = c.ExecutionName
	}
	var result struct {
		ExecutionARN string  `json:"executionArn"`
		Status       string  `json:"status"`
		Output       *string `json:"output"`
		Error        *string `json:"error"`
		Cause        *string `json:"cause"`
	}
	if req.StateMachineType == "EXPRESS" {
		if err := call(ctx, svc, "StartSyncExecution", start, &result); err != nil {
			return fail(err)
		}
		return map[string]any{"status": result.Status, "output": result.Output, "error": result.Error, "cause": result.Cause}
	}
	if err := call(ctx, svc, "StartExecution", start, &result); err != nil {
		return fail(err)
	}
	execARN := result.ExecutionARN
	if err := call(ctx, svc, "DescribeExecution", map[string]any{"executionArn": execARN}, &result); err != nil {
		return fail(err)
	}
	events, err := fetchHistory(ctx, svc, execARN)
	if err != nil {
		return fail(err)
	}
	return map[string]any{"status": result.Status, "output": result.Output, "error": result.Error,
		"cause": result.Cause, "events": events}
}

// mockConfig turns the recorded task results of a case into a Step
// Functions Local mock configuration with one test case.
func mockConfig(machine string, mocks map[string][]conformanceMock) ([]byte, error) {
	states := map[string]string{}
	responses := map[string]map[string]any{}
	for state, entries := range mocks {
		name := "recorded:" + state
		states[state] = name
		byKey := map[string]any{}
		for i, m := range entries {
			r := map[string]any{}
			if m.Outcome != "" {
				r["Outcome"] = m.Outcome
			}
			if len(m.Submitted) > 0 && string(m.Submitted) != "null" {
				r["Submitted"] = m.Submitted
			}
			if m.Error != nil || (m.Outcome != "" && m.Outcome != "success") {
				errName := ""
				if m.Error != nil {
					errName = *m.Error
				}
				r["Throw"] = map[string]string{"Error": errName, "Cause": causeText(m.Cause, m.Outcome)}
			} else {
				out := m.Output
				if len(out) == 0 {
					out = json.RawMessage("null")
				}
				r["Return"] = out
			}
			byKey[strconv.Itoa(i)] = r
		}
		responses[name] = byKey
	}
	return json.Marshal(map[string]any{
		"StateMachines":   map[string]any{machine: map[string]any{"TestCases": map[string]any{conformanceTestCase: states}}},
		"MockedResponses": responses,
	})
}

// causeText turns a recorded cause back into the text AWS reported. The
// recorder parsed JSON causes into objects; a legacy Lambda function's
// error payload is the function's own JSON (Python's separators), while
// Step Functions' integrations re-encode it compactly.
func causeText(raw json.RawMessage, outcome string) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if outcome == "LambdaFunctionFailed" {
		var b bytes.Buffer
		if err := writePythonJSON(&b, raw); err == nil {
			return b.String()
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}

// writePythonJSON writes a JSON value as Python's json.dumps does by
// default: ", " and ": " separators, non-ASCII escaped.
func writePythonJSON(b *bytes.Buffer, raw json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var write func() error
	write = func() error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := t.(type) {
		case json.Delim:
			closer := map[json.Delim]string{'{': "}", '[': "]"}[v]
			b.WriteString(string(v))
			first := true
			for dec.More() {
				if !first {
					b.WriteString(", ")
				}
				first = false
				if v == '{' {
					k, err := dec.Token()
					if err != nil {
						return err
					}
					writePyString(b, k.(string))
					b.WriteString(": ")
				}
				if err := write(); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			b.WriteString(closer)
		case string:
			writePyString(b, v)
		case json.Number:
			b.WriteString(v.String())
		case bool:
			b.WriteString(strconv.FormatBool(v))
		case nil:
			b.WriteString("null")
		}
		return nil
	}
	return write()
}

func writePyString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r > 0x7e:
			if r > 0xffff {
				r1, r2 := utf16Pair(r)
				fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}
