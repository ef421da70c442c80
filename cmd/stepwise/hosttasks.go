//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// serveRoutes lets svc serve a routing file's commands here, as
// processes (relative to baseDir, the routing file's folder). HTTP routes
// go out through the service's HTTP client (httpclient.go).
func serveRoutes(svc *sfn.Service, baseDir string) {
	svc.HandleCommands(func(ctx context.Context, c sfn.Command, t sfn.HostTask) (json.RawMessage, error) {
		return runTaskCommand(ctx, baseDir, c, t)
	})
}

// commandKillDelay is how long a timed-out command's pipes may stay open
// (a child of the killed process still holding them) before Wait gives up.
const commandKillDelay = 2 * time.Second

// runTaskCommand runs a routing file's command for one Task invocation
// (a relative program path or Dir is relative to baseDir):
// the task's input (JSON) on stdin, its result (JSON) from stdout. A
// non-zero exit fails the task with the {"Error": ..., "Cause": ...} the
// command printed on stdout, or else with States.TaskFailed and the last
// lines of its stderr. The state's TimeoutSeconds kills it and fails the
// task with States.Timeout, since virtual time stands still meanwhile.
func runTaskCommand(ctx context.Context, baseDir string, c sfn.Command, t sfn.HostTask) (json.RawMessage, error) {
	if t.TimeoutSeconds > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(t.TimeoutSeconds)*time.Second)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Dir = baseDir
	if c.Dir != "" {
		cmd.Dir = c.Dir
		if !filepath.IsAbs(c.Dir) {
			cmd.Dir = filepath.Join(baseDir, c.Dir)
		}
	}
	cmd.Env = append(os.Environ(),
		"STEPWISE_STATE_NAME="+t.StateName,
		"STEPWISE_RESOURCE="+t.Resource,
		"STEPWISE_EXECUTION_ARN="+t.ExecutionARN,
		"STEPWISE_STATE_MACHINE_ARN="+t.StateMachineARN,
		"STEPWISE_TASK_TOKEN="+t.Token,
		"STEPWISE_ATTEMPT="+strconv.Itoa(t.Attempt),
	)
	for _, k := range slices.Sorted(maps.Keys(c.Env)) {
		cmd.Env = append(cmd.Env, k+"="+c.Env[k])
	}
	cmd.Stdin = bytes.NewReader(t.Input)
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	cmd.WaitDelay = commandKillDelay
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, &sfn.TaskError{Name: "States.Timeout", Cause: fmt.Sprintf(
			"The command %s did not finish within the state's TimeoutSeconds (%d).", c.Args[0], t.TimeoutSeconds)}
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		var failure struct {
			Error *string `json:"Error"`
			Cause string  `json:"Cause"`
		}
		if json.Unmarshal(stdout.Bytes(), &failure) == nil && failure.Error != nil && *failure.Error != "" {
			return nil, &sfn.TaskError{Name: *failure.Error, Cause: failure.Cause}
		}
		cause := fmt.Sprintf("The command %s exited with status %d.", c.Args[0], exit.ExitCode())
		if tail := stderr.lastLines(10); tail != "" {
			cause += "\n" + tail
		}
		return nil, &sfn.TaskError{Name: "States.TaskFailed", Cause: cause}
	case err != nil:
		return nil, &sfn.TaskError{Name: "States.TaskFailed", Cause: "The command could not run: " + err.Error()}
	}
	out := bytes.TrimSpace(stdout.Bytes())
	if len(out) == 0 {
		return json.RawMessage("null"), nil
	}
	return out, nil
}

// tailBuffer keeps the last max bytes written to it: the end of a
// command's stderr, where the error usually is.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// lastLines returns up to n of the last non-empty lines.
func (t *tailBuffer) lastLines(n int) string {
	b := t.b
	if len(b) > t.max {
		b = b[len(b)-t.max:]
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
