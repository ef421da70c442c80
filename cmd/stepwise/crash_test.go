//go:build !js

package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveProcessEnv makes TestMain run `stepwise serve` with the arguments
// in it (split on newlines): the crash test's server is this test binary.
const serveProcessEnv = "STEPWISE_TEST_SERVE_ARGS"

// startServeProcess starts `stepwise serve` in another process on a free
// port and returns its endpoint once it answers.
func startServeProcess(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args = append([]string{"serve", "--addr", addr}, args...)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serveProcessEnv+"="+strings.Join(args, "\n"))
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan bool)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			if !sent && strings.Contains(sc.Text(), "--endpoint-url") {
				ready <- true
				sent = true
			}
		}
		if !sent {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the server exited before it listened")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	return cmd, "http://" + addr
}

// TestCrashAndResume kills a server with executions waiting on a timer, a
// callback and an activity worker (kill -9: no shutdown), starts it again
// on the same data directory, and checks that each execution finishes
// with the history an uninterrupted server gives it.
func TestCrashAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	dir := t.TempDir()
	web := filepath.Join(dir, "web")
	os.MkdirAll(web, 0o755)
	os.WriteFile(filepath.Join(web, "index.html"), []byte("<!doctype html>"), 0o644)
	mocks := filepath.Join(dir, "mocks.json")
	os.WriteFile(mocks, []byte(`{"StateMachines":{"cb":{"TestCases":{"T":{"Ask":"Sent"}}}},
		"MockedResponses":{"Sent":{"0":{"Submitted":{"MessageId":"m-1"},"Pending":true}}}}`), 0o644)
	const role = "arn:aws:iam::123456789012:role/r"
	const prefix = "arn:aws:states:us-east-1:123456789012:"
	machines := map[string]string{
		"wait": `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3,"Next":"P"},"P":{"Type":"Pass","Result":"woke","End":true}}}`,
		"cb": `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
			"Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}}`,
		"act": `{"StartAt":"Do","States":{"Do":{"Type":"Task","Resource":"` + prefix + `activity:work","End":true}}}`,
	}
	// scenario starts the executions; finish answers them and waits for
	// their ends; between the two, crash (if set) kills the server and
	// starts another.
	scenario := func(endpoint string, crash func() string) map[string][]string {
		call := func(op string, in, out any) {
			t.Helper()
			if err := awsCall(endpoint, op, in, out); err != nil {
				t.Fatal(err)
			}
		}
		call("CreateActivity", map[string]any{"name": "work"}, nil)
		for name, def := range machines {
			call("CreateStateMachine", map[string]any{"name": name, "definition": def, "roleArn": role}, nil)
		}
		call("StartExecution", map[string]any{"stateMachineArn": prefix + "stateMachine:wait", "name": "w"}, nil)
		call("StartExecution", map[string]any{"stateMachineArn": prefix + "stateMachine:cb#T", "name": "c"}, nil)
		call("StartExecution", map[string]any{"stateMachineArn": prefix + "stateMachine:act", "name": "a"}, nil)
		history := func(exec string) (types []string, token string) {
			var h struct {
				Events []struct {
					Type                      string
					TaskScheduledEventDetails *struct{ Parameters string }
				}
			}
			call("GetExecutionHistory", map[string]any{"executionArn": exec}, &h)
			for _, e := range h.Events {
				types = append(types, e.Type)
				if d := e.TaskScheduledEventDetails; d != nil {
					_, token, _ = strings.Cut(d.Parameters, `"token":"`)
					token, _, _ = strings.Cut(token, `"`)
				}
			}
			return types, token
		}
		_, token := history(prefix + "execution:cb:c")
		if token == "" {
			t.Fatal("no task token in the callback's history")
		}
		if crash != nil {
			endpoint = crash()
		}
		var task struct{ TaskToken string }
		call("GetActivityTask", map[string]any{"activityArn": prefix + "activity:work", "workerName": "w1"}, &task)
		if task.TaskToken == "" {
			t.Fatal("the activity task was lost")
		}
		call("SendTaskSuccess", map[string]any{"taskToken": task.TaskToken, "output": `"worked"`}, nil)
		call("SendTaskSuccess", map[string]any{"taskToken": token, "output": `{"approved":true}`}, nil)
		out := map[string][]string{}
		for _, exec := range []string{"wait:w", "cb:c", "act:a"} {
			arn := prefix + "execution:" + exec
			deadline := time.Now().Add(20 * time.Second)
			for {
				var d struct{ Status, Output string }
				call("DescribeExecution", map[string]any{"executionArn": arn}, &d)
				if d.Status != "RUNNING" {
					types, _ := history(arn)
					out[exec] = append([]string{d.Status, d.Output}, types...)
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s still RUNNING", exec)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		return out
	}

	_, ref := startServeProcess(t, "--in-memory", "--dir", web, "--mock-config", mocks)
	want := scenario(ref, nil)

	data := filepath.Join(dir, "data")
	args := []string{"--data-dir", data, "--dir", web, "--mock-config", mocks}
	server, endpoint := startServeProcess(t, args...)
	got := scenario(endpoint, func() string {
		server.Process.Kill() // SIGKILL: no shutdown, nothing flushed
		server.Wait()
		_, endpoint := startServeProcess(t, args...)
		return endpoint
	})
	for exec, w := range want {
		if fmt.Sprint(got[exec]) != fmt.Sprint(w) {
			t.Errorf("%s after the crash:\n%v\nwant\n%v", exec, got[exec], w)
		}
		if w[0] != "SUCCEEDED" {
			t.Errorf("%s ended %v", exec, w)
		}
	}
}
