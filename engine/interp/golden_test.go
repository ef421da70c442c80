package interp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/states"
)

var update = flag.Bool("update", false, "rewrite the golden histories")

// scriptedTasks answers each Task state from a list of results, in order:
// {"output": ...} or {"error": ..., "cause": ...}.
type scriptedTasks map[string][]struct {
	Output json.RawMessage `json:"output"`
	Error  string          `json:"error"`
	Cause  string          `json:"cause"`
}

func (s scriptedTasks) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	list := s[req.StateName]
	if len(list) == 0 {
		return interp.Unmocked(req)
	}
	r := list[0]
	s[req.StateName] = list[1:]
	if r.Error != "" {
		return interp.TaskResult{Err: &states.Error{Name: r.Error, Cause: r.Cause}}
	}
	return interp.TaskResult{Output: r.Output}
}

// TestGolden runs each testdata/golden/<case> (definition.json, input.json,
// optional tasks.json) on the virtual clock and compares the whole history,
// timestamps included, with history.json. -update rewrites history.json.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/golden/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			def, err := os.ReadFile(filepath.Join(dir, "definition.json"))
			if err != nil {
				t.Fatal(err)
			}
			input, err := os.ReadFile(filepath.Join(dir, "input.json"))
			if err != nil {
				t.Fatal(err)
			}
			var tasks interp.TaskRunner
			if b, err := os.ReadFile(filepath.Join(dir, "tasks.json")); err == nil {
				var s scriptedTasks
				if err := json.Unmarshal(b, &s); err != nil {
					t.Fatal(err)
				}
				tasks = s
			}
			r := run(t, string(def), string(bytes.TrimSpace(input)), tasks)
			got, err := json.MarshalIndent(map[string]any{
				"status": r.Status().String(), "events": r.Events(),
			}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			file := filepath.Join(dir, "history.json")
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("history differs from %s (run go test -run TestGolden -update and review the diff):\n%s", file, got)
			}
		})
	}
}
