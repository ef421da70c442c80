//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary double as an activity worker process
// (activityWorker), so the exchange below crosses a process boundary as
// a worker in any language would.
func TestMain(m *testing.M) {
	if args := os.Getenv(serveProcessEnv); args != "" {
		os.Exit(run(strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr))
	}
	if endpoint := os.Getenv("STEPWISE_TEST_WORKER_ENDPOINT"); endpoint != "" {
		if err := activityWorker(endpoint, os.Getenv("STEPWISE_TEST_WORKER_ACTIVITY")); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testAPIServer serves the API as `stepwise serve` does (wall clock, in
// memory, the keys' signatures verified when keys is not nil) until the
// test ends.
func testAPIServer(t *testing.T, keys accessKeys) (*httptest.Server, *apiServer) {
	t.Helper()
	cfg, err := parseServeFlags([]string{"--data-dir", t.TempDir(), "--in-memory"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	api := newAPIServer(cfg, keys, slog.New(slog.DiscardHandler), context.Background())
	srv := httptest.NewServer(serveHandler(http.NotFoundHandler(), api))
	t.Cleanup(func() {
		srv.Close()
		if err := api.close(); err != nil {
			t.Error(err)
		}
		cfg.logs.close()
	})
	return srv, api
}

// awsCall sends one request in AWS JSON 1.0, as the AWS SDKs do, and
// decodes the answer into out; an error answer comes back as an error
// carrying its __type.
func awsCall(endpoint, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest("POST", endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: HTTP %d: %s", op, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// activityWorker is the worker process: it long-polls GetActivityTask,
// heartbeats, and answers each task with SendTaskSuccess (or
// SendTaskFailure when the input asks to be rejected) until it has
// answered two tasks.
func activityWorker(endpoint, activityARN string) error {
	for answered := 0; answered < 2; {
		var task struct {
			TaskToken string `json:"taskToken"`
			Input     string `json:"input"`
		}
		if err := awsCall(endpoint, "GetActivityTask", map[string]string{"activityArn": activityARN, "workerName": "worker-proc"}, &task); err != nil {
			return err
		}
		if task.TaskToken == "" {
			continue // the long poll ended empty: poll again
		}
		var in struct {
			Doc    string `json:"doc"`
			Reject bool   `json:"reject"`
		}
		if err := json.Unmarshal([]byte(task.Input), &in); err != nil {
			return err
		}
		if err := awsCall(endpoint, "SendTaskHeartbeat", map[string]string{"taskToken": task.TaskToken}, nil); err != nil {
			return err
		}
		var err error
		if in.Reject {
			err = awsCall(endpoint, "SendTaskFailure", map[string]string{"taskToken": task.TaskToken, "error": "Rejected", "cause": "by pid " + fmt.Sprint(os.Getpid())}, nil)
		} else {
			out, _ := json.Marshal(struct {
				Reviewed string `json:"reviewed"`
				PID      int    `json:"pid"`
			}{in.Doc, os.Getpid()})
			err = awsCall(endpoint, "SendTaskSuccess", map[string]string{"taskToken": task.TaskToken, "output": string(out)}, nil)
		}
		if err != nil {
			return err
		}
		answered++
	}
	return nil
}

// An activity worker in another process serves an execution through the
// server's AWS wire protocol: it long-polls GetActivityTask, and its
// answers reach the waiting executions.
func TestActivityWorkerProcess(t *testing.T) {
	srv, _ := testAPIServer(t, nil)

	var act struct{ ActivityArn string }
	if err := awsCall(srv.URL, "CreateActivity", map[string]string{"name": "review"}, &act); err != nil {
		t.Fatal(err)
	}
	// The worker starts first and waits in its long poll.
	worker := exec.Command(os.Args[0], "-test.run=^$")
	worker.Env = append(os.Environ(), "STEPWISE_TEST_WORKER_ENDPOINT="+srv.URL, "STEPWISE_TEST_WORKER_ACTIVITY="+act.ActivityArn)
	var stderr bytes.Buffer
	worker.Stderr = &stderr
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Review","States":{"Review":{"Type":"Task","Resource":"` + act.ActivityArn + `","HeartbeatSeconds":60,"TimeoutSeconds":300,"End":true}}}`
	var sm struct{ StateMachineArn string }
	if err := awsCall(srv.URL, "CreateStateMachine", map[string]string{"name": "reviewer", "definition": def, "roleArn": "arn:aws:iam::123456789012:role/r"}, &sm); err != nil {
		t.Fatal(err)
	}
	start := func(input string) string {
		var e struct{ ExecutionArn string }
		if err := awsCall(srv.URL, "StartExecution", map[string]string{"stateMachineArn": sm.StateMachineArn, "input": input}, &e); err != nil {
			t.Fatal(err)
		}
		return e.ExecutionArn
	}
	ok, bad := start(`{"doc":"spec.md"}`), start(`{"reject":true}`)
	done := make(chan error, 1)
	go func() { done <- worker.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("worker: %v\n%s", err, stderr.String())
		}
	case <-time.After(2 * time.Minute): // a hang guard, not a timing assertion
		worker.Process.Kill()
		t.Fatalf("the worker did not finish\n%s", stderr.String())
	}

	type execution struct{ Status, Output, Error, Cause string }
	var e execution
	if err := awsCall(srv.URL, "DescribeExecution", map[string]string{"executionArn": ok}, &e); err != nil {
		t.Fatal(err)
	}
	pid := fmt.Sprint(worker.Process.Pid)
	if e.Status != "SUCCEEDED" || e.Output != `{"reviewed":"spec.md","pid":`+pid+`}` {
		t.Errorf("served execution: %+v", e)
	}
	if err := awsCall(srv.URL, "DescribeExecution", map[string]string{"executionArn": bad}, &e); err != nil {
		t.Fatal(err)
	}
	if e.Status != "FAILED" || e.Error != "Rejected" || e.Cause != "by pid "+pid {
		t.Errorf("rejected execution: %+v", e)
	}
	var h struct {
		Events []struct {
			Type                        string
			ActivityStartedEventDetails *struct{ WorkerName string }
		}
	}
	if err := awsCall(srv.URL, "GetExecutionHistory", map[string]string{"executionArn": ok}, &h); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range h.Events {
		types = append(types, ev.Type)
		if ev.ActivityStartedEventDetails != nil && ev.ActivityStartedEventDetails.WorkerName != "worker-proc" {
			t.Errorf("ActivityStarted worker %q", ev.ActivityStartedEventDetails.WorkerName)
		}
	}
	if got := strings.Join(types, ","); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivitySucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Errorf("history %s", got)
	}
	// An unknown operation and a bad request answer in AWS's error shape.
	err := awsCall(srv.URL, "NoSuchThing", map[string]string{}, nil)
	if err == nil || !strings.Contains(err.Error(), `HTTP 400: {"__type":"com.amazon.coral.service#UnknownOperationException"}`) {
		t.Errorf("unknown operation: %v", err)
	}
	err = awsCall(srv.URL, "DescribeExecution", map[string]string{}, nil)
	if err == nil || !strings.Contains(err.Error(), `"__type":"ValidationException"`) {
		t.Errorf("missing executionArn: %v", err)
	}
}
