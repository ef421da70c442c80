//go:build !js

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// clientMockConfig mocks the one integration the client scenarios call:
// the "callback" machine's SQS message (test case Queue) is sent and the
// task then waits for its token to come back through SendTaskSuccess or
// SendTaskFailure, as a real callback does.
const clientMockConfig = `{"StateMachines":{"callback":{"TestCases":{"Queue":{"Ask":"Sent"}}}},
	"MockedResponses":{"Sent":{"0":{"Submitted":{"MessageId":"m-1"},"Pending":true}}}}`

// clientServer is `stepwise serve`'s API, as the real clients see it: the
// same handlers on a loopback port, in memory and on the wall clock. It
// records the Host header of every StartSyncExecution, so a test can tell
// whether a client sent the `sync-` host prefix.
type clientServer struct {
	URL string

	mu        sync.Mutex
	syncHosts []string
}

// startClientServer starts a server for one test and stops it at the
// test's end.
func startClientServer(t *testing.T) *clientServer {
	t.Helper()
	dir := t.TempDir()
	mocks := filepath.Join(dir, "mocks.json")
	if err := os.WriteFile(mocks, []byte(clientMockConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	// serve's defaults: the durable store in a data directory
	cfg, err := parseServeFlags([]string{"--data-dir", filepath.Join(dir, "data"), "--mock-config", mocks},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	api := newAPIServer(cfg, nil, slog.New(slog.DiscardHandler), context.Background())
	cs := &clientServer{}
	handler := serveHandler(http.NotFoundHandler(), api)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") == "AWSStepFunctions.StartSyncExecution" {
			cs.mu.Lock()
			cs.syncHosts = append(cs.syncHosts, r.Host)
			cs.mu.Unlock()
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		if err := api.close(); err != nil {
			t.Error(err)
		}
		cfg.logs.close()
	})
	cs.URL = srv.URL
	return cs
}

// lastSyncHost is the Host header of the latest StartSyncExecution.
func (cs *clientServer) lastSyncHost() string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if len(cs.syncHosts) == 0 {
		return ""
	}
	return cs.syncHosts[len(cs.syncHosts)-1]
}

// requireClient skips a test whose client is missing, except in CI, where
// scripts/test.sh installs every client and a missing one is a failure.
func requireClient(t *testing.T, name string, check ...string) {
	t.Helper()
	if err := exec.Command(check[0], check[1:]...).Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (%v): scripts/test.sh's tools step installs it", name, err)
		}
		t.Skipf("%s is not installed (%v): `bash scripts/test.sh tools` installs it", name, err)
	}
}

// runClientScenario runs a client scenario script against a fresh server:
// the script checks everything itself, prints what it checked and exits
// non-zero at the first difference. Each script also sends one
// StartSyncExecution with the client's `sync-` host prefix left on,
// through the server as its HTTP proxy; the server must have seen it.
func runClientScenario(t *testing.T, name string, args ...string) {
	t.Helper()
	cs := startClientServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], append(args[1:], cs.URL)...)
	// Dummy credentials and a region, as a user of a local endpoint sets
	// them; nothing from this machine's AWS configuration or proxies leaks in.
	home := t.TempDir()
	cmd.Env = []string{
		"AWS_ACCESS_KEY_ID=AKIDSTEPWISETEST", "AWS_SECRET_ACCESS_KEY=stepwise-test-secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard", "AWS_EC2_METADATA_DISABLED=true",
		"NO_PROXY=127.0.0.1,localhost", "PYTHONUNBUFFERED=1",
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "AWS_") && !strings.HasSuffix(strings.ToUpper(name), "_PROXY") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	t.Logf("%s:\n%s", name, out)
	if err != nil {
		t.Fatalf("%s scenario failed: %v", name, err)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if want := "sync-" + strings.TrimPrefix(cs.URL, "http://"); !slices.Contains(cs.syncHosts, want) {
		t.Fatalf("no StartSyncExecution came to host %s: %q", want, cs.syncHosts)
	}
}

// The AWS CLI (aws stepfunctions --endpoint-url) runs the full scenario:
// cmd/stepwise/testdata/clients/aws_cli_scenario.sh.
func TestAWSCLIScenario(t *testing.T) {
	t.Parallel()
	requireClient(t, "the AWS CLI", "aws", "--version")
	requireClient(t, "bash", "bash", "--version")
	runClientScenario(t, "aws CLI", "bash", filepath.Join("testdata", "clients", "aws_cli_scenario.sh"))
}

// boto3 runs the full scenario: cmd/stepwise/testdata/clients/boto3_scenario.py.
func TestBoto3Scenario(t *testing.T) {
	t.Parallel()
	requireClient(t, "python3 with boto3", "python3", "-c", "import boto3")
	runClientScenario(t, "boto3", "python3", filepath.Join("testdata", "clients", "boto3_scenario.py"))
}

// goSDKClient is an aws-sdk-go-v2 Step Functions client for endpoint with
// dummy credentials, no retries, and the given options.
func goSDKClient(endpoint string, opts ...func(*awssfn.Options)) *awssfn.Client {
	return awssfn.New(awssfn.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDSTEPWISETEST", SecretAccessKey: "stepwise-test-secret"}, nil
		}),
		RetryMaxAttempts: 1,
	}, opts...)
}

// withoutHostPrefix turns off the `sync-` host prefix the Go SDK puts on
// StartSyncExecution and TestState: the SDK has no client option for it,
// but a middleware can set smithy's per-request switch.
func withoutHostPrefix(o *awssfn.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("DisableHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
	})
}

// viaProxy sends every request through an HTTP proxy at proxy: a client
// that keeps the `sync-` prefix reaches the server when the proxy is the
// server itself, since it serves any Host and no name is resolved.
func viaProxy(proxy string) func(*awssfn.Options) {
	return func(o *awssfn.Options) {
		u, _ := url.Parse(proxy)
		o.HTTPClient = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(u)}}
	}
}

// isAPIError reports whether err is, or wraps, the SDK's exception type E.
func isAPIError[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}

// The Go SDK (aws-sdk-go-v2/service/sfn) runs the full scenario; every
// response parses, every error is the SDK's own exception type.
func TestGoSDKScenario(t *testing.T) {
	t.Parallel()
	cs := startClientServer(t)
	c := goSDKClient(cs.URL)
	ctx := context.Background()
	const role = "arn:aws:iam::123456789012:role/stepwise"

	act, err := c.CreateActivity(ctx, &awssfn.CreateActivityInput{Name: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	defV1 := `{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Result":"v1","ResultPath":"$.version","Next":"Work"},` +
		`"Work":{"Type":"Task","Resource":"` + *act.ActivityArn + `","HeartbeatSeconds":60,"TimeoutSeconds":300,"End":true}}}`
	defV2 := strings.Replace(defV1, `"v1"`, `"v2"`, 1)
	sm, err := c.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("flow"), Definition: aws.String(defV1), RoleArn: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	if sm.CreationDate == nil || time.Since(*sm.CreationDate) > time.Hour || time.Since(*sm.CreationDate) < -time.Hour {
		t.Fatalf("creationDate %v is not the server's now", sm.CreationDate)
	}
	// Creating it again with the same definition answers the same ARN.
	again, err := c.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("flow"), Definition: aws.String(defV1), RoleArn: aws.String(role)})
	if err != nil || *again.StateMachineArn != *sm.StateMachineArn {
		t.Fatalf("idempotent create: %v %v", again, err)
	}
	desc, err := c.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn})
	if err != nil || desc.Status != sfntypes.StateMachineStatusActive || desc.Type != sfntypes.StateMachineTypeStandard || *desc.Definition != defV1 {
		t.Fatalf("DescribeStateMachine: %+v %v", desc, err)
	}

	// Start, then update the machine while the execution runs: the
	// execution keeps the definition it started with.
	start, err := c.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("first"), Input: aws.String(`{"doc":"a"}`)})
	if err != nil {
		t.Fatal(err)
	}
	first := start.ExecutionArn
	d, err := c.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: first})
	if err != nil || d.Status != sfntypes.ExecutionStatusRunning || *d.Input != `{"doc":"a"}` || d.StartDate == nil || !d.StartDate.Equal(*start.StartDate) {
		t.Fatalf("DescribeExecution while running: %+v %v", d, err)
	}
	if _, err := c.UpdateStateMachine(ctx, &awssfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, Definition: aws.String(defV2)}); err != nil {
		t.Fatal(err)
	}
	forExec, err := c.DescribeStateMachineForExecution(ctx, &awssfn.DescribeStateMachineForExecutionInput{ExecutionArn: first})
	if err != nil || *forExec.Definition != defV1 {
		t.Fatalf("DescribeStateMachineForExecution after the update: %v %v", forExec, err)
	}
	if desc, err := c.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil || *desc.Definition != defV2 {
		t.Fatalf("DescribeStateMachine after the update: %v %v", desc, err)
	}

	// An activity worker long-polls, heartbeats and answers.
	worker := make(chan error, 1)
	go func() {
		task, err := c.GetActivityTask(ctx, &awssfn.GetActivityTaskInput{ActivityArn: act.ActivityArn, WorkerName: aws.String("go-worker")})
		if err == nil && task.TaskToken == nil {
			err = errors.New("the long poll ended without a task")
		}
		if err != nil {
			worker <- err
			return
		}
		if _, err := c.SendTaskHeartbeat(ctx, &awssfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken}); err != nil {
			worker <- err
			return
		}
		_, err = c.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{"worked":` + *task.Input + `}`)})
		worker <- err
	}()
	if err := <-worker; err != nil {
		t.Fatal("activity worker:", err)
	}
	d = waitExecution(t, c, first)
	if d.Status != sfntypes.ExecutionStatusSucceeded || *d.Output != `{"worked":{"doc":"a","version":"v1"}}` || d.StopDate == nil {
		t.Fatalf("after the worker: %s %s %v", d.Status, aws.ToString(d.Output), d.StopDate)
	}

	// The history, two events a page, forwards and backwards.
	forward := historyPages(t, c, first, false)
	backward := historyPages(t, c, first, true)
	var types []string
	for i, e := range forward {
		types = append(types, string(e.Type))
		if e.Id != int64(i+1) || e.Timestamp == nil {
			t.Fatalf("event %d: id %d timestamp %v", i, e.Id, e.Timestamp)
		}
	}
	if got := strings.Join(types, ","); got != "ExecutionStarted,PassStateEntered,PassStateExited,TaskStateEntered,"+
		"ActivityScheduled,ActivityStarted,ActivitySucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("history %s", got)
	}
	slices.Reverse(backward)
	for i := range forward {
		if backward[i].Id != forward[i].Id || backward[i].Type != forward[i].Type {
			t.Fatalf("reverseOrder pages differ at %d: %d %s", i, backward[i].Id, backward[i].Type)
		}
	}
	if w := forward[5].ActivityStartedEventDetails; w == nil || aws.ToString(w.WorkerName) != "go-worker" {
		t.Fatalf("ActivityStarted details %+v", w)
	}

	// Two more executions on the new definition; one is stopped.
	var more []*string
	for _, name := range []string{"second", "third"} {
		out, err := c.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		more = append(more, out.ExecutionArn)
	}
	stop, err := c.StopExecution(ctx, &awssfn.StopExecutionInput{ExecutionArn: more[0], Error: aws.String("Halt"), Cause: aws.String("by the test")})
	if err != nil || stop.StopDate == nil {
		t.Fatalf("StopExecution: %v %v", stop, err)
	}
	if d := waitExecution(t, c, more[0]); d.Status != sfntypes.ExecutionStatusAborted || aws.ToString(d.Error) != "Halt" || aws.ToString(d.Cause) != "by the test" {
		t.Fatalf("stopped: %s %v %v", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}

	// Lists, one item a page.
	if _, err := c.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("other"), Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`), RoleArn: aws.String(role)}); err != nil {
		t.Fatal(err)
	}
	var machines []string
	for p := awssfn.NewListStateMachinesPaginator(c, &awssfn.ListStateMachinesInput{MaxResults: 1}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.StateMachines) > 1 {
			t.Fatalf("a page of %d machines with maxResults 1", len(page.StateMachines))
		}
		for _, m := range page.StateMachines {
			machines = append(machines, *m.Name)
		}
	}
	if slices.Sort(machines); !slices.Equal(machines, []string{"flow", "other"}) {
		t.Fatalf("ListStateMachines: %v", machines)
	}
	statuses := map[string]string{}
	pages := 0
	for p := awssfn.NewListExecutionsPaginator(c, &awssfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, MaxResults: 1}); p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Executions {
			statuses[*e.Name] = string(e.Status)
		}
	}
	if want := map[string]string{"first": "SUCCEEDED", "second": "ABORTED", "third": "RUNNING"}; fmt.Sprint(statuses) != fmt.Sprint(want) || pages != 3 {
		t.Fatalf("ListExecutions: %v in %d pages", statuses, pages)
	}
	running, err := c.ListExecutions(ctx, &awssfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, StatusFilter: sfntypes.ExecutionStatusRunning})
	if err != nil || len(running.Executions) != 1 || *running.Executions[0].Name != "third" {
		t.Fatalf("ListExecutions RUNNING: %v %v", running, err)
	}

	// A callback: the token travels in the (mocked) SQS message; one
	// execution gets success, the other failure.
	cbDef := `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",` +
		`"Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/q","MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}}`
	cb, err := c.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("callback"), Definition: aws.String(cbDef), RoleArn: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	var answered []*string
	for _, answer := range []string{"yes", "no"} {
		out, err := c.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String(*cb.StateMachineArn + "#Queue"), Name: aws.String(answer)})
		if err != nil {
			t.Fatal(err)
		}
		token := callbackToken(t, c, out.ExecutionArn)
		if answer == "yes" {
			_, err = c.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: &token, Output: aws.String(`{"approved":true}`)})
		} else {
			_, err = c.SendTaskFailure(ctx, &awssfn.SendTaskFailureInput{TaskToken: &token, Error: aws.String("Denied"), Cause: aws.String("no thanks")})
		}
		if err != nil {
			t.Fatal(err)
		}
		answered = append(answered, out.ExecutionArn)
		// A token answered once is spent: AWS calls it timed out.
		_, err = c.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: &token, Output: aws.String(`{}`)})
		if !isAPIError[*sfntypes.TaskTimedOut](err) {
			t.Fatalf("answering a spent token: %v", err)
		}
	}
	if d := waitExecution(t, c, answered[0]); d.Status != sfntypes.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"approved":true}` {
		t.Fatalf("callback success: %s %s", d.Status, aws.ToString(d.Output))
	}
	if d := waitExecution(t, c, answered[1]); d.Status != sfntypes.ExecutionStatusFailed || aws.ToString(d.Error) != "Denied" || aws.ToString(d.Cause) != "no thanks" {
		t.Fatalf("callback failure: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}

	// EXPRESS StartSyncExecution, with the host prefix turned off, and
	// through the server as a proxy with the prefix kept.
	express, err := c.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("quick"), Type: sfntypes.StateMachineTypeExpress, RoleArn: aws.String(role),
		Definition: aws.String(`{"StartAt":"Sum","States":{"Sum":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(cs.URL, "http://")
	for _, tc := range []struct {
		name     string
		client   *awssfn.Client
		wantHost string
	}{
		{"host prefix off", goSDKClient(cs.URL, withoutHostPrefix), host},
		{"server as proxy", goSDKClient(cs.URL, viaProxy(cs.URL)), "sync-" + host},
	} {
		out, err := tc.client.StartSyncExecution(ctx, &awssfn.StartSyncExecutionInput{StateMachineArn: express.StateMachineArn, Input: aws.String(`{"a":2,"b":3}`)})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if out.Status != sfntypes.SyncExecutionStatusSucceeded || aws.ToString(out.Output) != `{"sum":5}` || out.StopDate == nil || out.BillingDetails == nil {
			t.Fatalf("%s: %s %s %+v", tc.name, out.Status, aws.ToString(out.Output), out)
		}
		if got := cs.lastSyncHost(); got != tc.wantHost {
			t.Fatalf("%s: the request came to host %q, want %q", tc.name, got, tc.wantHost)
		}
	}

	// TestState carries the same `sync-` prefix; the DEBUG inspection
	// data parses too.
	ts, err := goSDKClient(cs.URL, withoutHostPrefix).TestState(ctx, &awssfn.TestStateInput{
		Definition: aws.String(`{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}`),
		RoleArn:    aws.String(role), Input: aws.String(`{"n":21}`), InspectionLevel: sfntypes.InspectionLevelDebug,
	})
	if err != nil || ts.Status != sfntypes.TestExecutionStatusSucceeded || aws.ToString(ts.Output) != `{"doubled":42}` ||
		ts.InspectionData == nil || aws.ToString(ts.InspectionData.AfterParameters) != `{"doubled":42}` {
		t.Fatalf("TestState: %+v %v", ts, err)
	}

	// Every error is the SDK's own exception type.
	missingExec := "arn:aws:states:us-east-1:123456789012:execution:flow:nope"
	missingSM := "arn:aws:states:us-east-1:123456789012:stateMachine:nope"
	missingAct := "arn:aws:states:us-east-1:123456789012:activity:nope"
	for _, tc := range []struct {
		name string
		call func() error
		is   func(error) bool
		code string
	}{
		{"DescribeExecution of a missing execution", func() error {
			_, err := c.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: &missingExec})
			return err
		}, isAPIError[*sfntypes.ExecutionDoesNotExist], "ExecutionDoesNotExist"},
		{"DescribeStateMachine of a missing machine", func() error {
			_, err := c.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: &missingSM})
			return err
		}, isAPIError[*sfntypes.StateMachineDoesNotExist], "StateMachineDoesNotExist"},
		{"StartExecution of a missing machine", func() error {
			_, err := c.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: &missingSM})
			return err
		}, isAPIError[*sfntypes.StateMachineDoesNotExist], "StateMachineDoesNotExist"},
		{"DescribeExecution of a malformed ARN", func() error {
			_, err := c.DescribeExecution(ctx, &awssfn.DescribeExecutionInput{ExecutionArn: aws.String("not-an-arn")})
			return err
		}, isAPIError[*sfntypes.InvalidArn], "InvalidArn"},
		{"CreateStateMachine with a bad definition", func() error {
			_, err := c.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("bad"), Definition: aws.String(`{"StartAt":"Nowhere","States":{}}`), RoleArn: aws.String(role)})
			return err
		}, isAPIError[*sfntypes.InvalidDefinition], "InvalidDefinition"},
		{"CreateStateMachine with a bad name", func() error {
			_, err := c.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("bad name"), Definition: aws.String(defV1), RoleArn: aws.String(role)})
			return err
		}, isAPIError[*sfntypes.InvalidName], "InvalidName"},
		{"CreateStateMachine of a taken name with another definition", func() error {
			_, err := c.CreateStateMachine(ctx, &awssfn.CreateStateMachineInput{Name: aws.String("other"), Definition: aws.String(defV1), RoleArn: aws.String(role)})
			return err
		}, isAPIError[*sfntypes.StateMachineAlreadyExists], "StateMachineAlreadyExists"},
		{"StartExecution of a taken name with another input", func() error {
			_, err := c.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("first"), Input: aws.String(`{"doc":"b"}`)})
			return err
		}, isAPIError[*sfntypes.ExecutionAlreadyExists], "ExecutionAlreadyExists"},
		{"StartExecution with input that is not JSON", func() error {
			_, err := c.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{oops`)})
			return err
		}, isAPIError[*sfntypes.InvalidExecutionInput], "InvalidExecutionInput"},
		{"StartExecution with a name too long", func() error {
			_, err := c.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(strings.Repeat("n", 81))})
			return err
		}, isAPIError[*sfntypes.ValidationException], "ValidationException"},
		{"StartSyncExecution of a STANDARD machine", func() error {
			_, err := goSDKClient(cs.URL, withoutHostPrefix).StartSyncExecution(ctx, &awssfn.StartSyncExecutionInput{StateMachineArn: sm.StateMachineArn})
			return err
		}, isAPIError[*sfntypes.StateMachineTypeNotSupported], "StateMachineTypeNotSupported"},
		{"SendTaskSuccess with a token that is not one", func() error {
			_, err := c.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: aws.String("not-a-token"), Output: aws.String(`{}`)})
			return err
		}, isAPIError[*sfntypes.InvalidToken], "InvalidToken"},
		{"SendTaskSuccess with output that is not JSON", func() error {
			_, err := c.SendTaskSuccess(ctx, &awssfn.SendTaskSuccessInput{TaskToken: aws.String("not-a-token"), Output: aws.String(`{oops`)})
			return err
		}, isAPIError[*sfntypes.InvalidOutput], "InvalidOutput"},
		{"DescribeActivity of a missing activity", func() error {
			_, err := c.DescribeActivity(ctx, &awssfn.DescribeActivityInput{ActivityArn: &missingAct})
			return err
		}, isAPIError[*sfntypes.ActivityDoesNotExist], "ActivityDoesNotExist"},
		{"GetActivityTask of a missing activity", func() error {
			_, err := c.GetActivityTask(ctx, &awssfn.GetActivityTaskInput{ActivityArn: &missingAct})
			return err
		}, isAPIError[*sfntypes.ActivityDoesNotExist], "ActivityDoesNotExist"},
	} {
		err := tc.call()
		var api smithy.APIError
		if !tc.is(err) || !errors.As(err, &api) || api.ErrorCode() != tc.code || api.ErrorMessage() == "" {
			t.Errorf("%s: got %T %v, want the SDK's %s", tc.name, err, err, tc.code)
		}
	}

	// Delete: the machine goes, the running execution finishes stopped.
	if _, err := c.StopExecution(ctx, &awssfn.StopExecutionInput{ExecutionArn: more[1]}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteStateMachine(ctx, &awssfn.DeleteStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeStateMachine(ctx, &awssfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn}); !isAPIError[*sfntypes.StateMachineDoesNotExist](err) {
		t.Fatalf("DescribeStateMachine after delete: %v", err)
	}
	if _, err := c.DeleteActivity(ctx, &awssfn.DeleteActivityInput{ActivityArn: act.ActivityArn}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeActivity(ctx, &awssfn.DescribeActivityInput{ActivityArn: act.ActivityArn}); !isAPIError[*sfntypes.ActivityDoesNotExist](err) {
		t.Fatalf("DescribeActivity after delete: %v", err)
	}
}

// waitExecution waits for an execution to leave RUNNING and describes it.
// Answers and stops take effect inside the request that brings them, so
// this rarely loops; the bound is only against a hang.
func waitExecution(t *testing.T, c *awssfn.Client, arn *string) *awssfn.DescribeExecutionOutput {
	t.Helper()
	for range 200 {
		d, err := c.DescribeExecution(context.Background(), &awssfn.DescribeExecutionInput{ExecutionArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			return d
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s is still RUNNING", *arn)
	return nil
}

// historyPages reads an execution's whole history two events a page,
// checking that every page but the last is full and carries a nextToken.
func historyPages(t *testing.T, c *awssfn.Client, arn *string, reverse bool) []sfntypes.HistoryEvent {
	t.Helper()
	var all []sfntypes.HistoryEvent
	p := awssfn.NewGetExecutionHistoryPaginator(c, &awssfn.GetExecutionHistoryInput{ExecutionArn: arn, MaxResults: 2, ReverseOrder: reverse})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) > 2 || (page.NextToken != nil && len(page.Events) != 2) {
			t.Fatalf("a page of %d events (nextToken %v)", len(page.Events), page.NextToken != nil)
		}
		all = append(all, page.Events...)
	}
	return all
}

// callbackToken reads the task token the callback state put into its
// message, from the TaskScheduled event, as the message's reader would.
func callbackToken(t *testing.T, c *awssfn.Client, arn *string) string {
	t.Helper()
	h, err := c.GetExecutionHistory(context.Background(), &awssfn.GetExecutionHistoryInput{ExecutionArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range h.Events {
		if d := e.TaskScheduledEventDetails; d != nil {
			var p struct{ MessageBody struct{ Token string } }
			if err := json.Unmarshal([]byte(aws.ToString(d.Parameters)), &p); err != nil || p.MessageBody.Token == "" {
				t.Fatalf("TaskScheduled parameters %s: %v", aws.ToString(d.Parameters), err)
			}
			return p.MessageBody.Token
		}
	}
	t.Fatalf("%s: no TaskScheduled event", *arn)
	return ""
}
