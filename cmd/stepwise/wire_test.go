//go:build !js

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

// rawCall sends one request as given and returns status, headers and body.
func rawCall(t *testing.T, method, url string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(data)
}

// Bad input through the real handler gets AWS's answers, each with a
// request id, and the server keeps serving.
func TestServeBadInput(t *testing.T) {
	srv, _ := testAPIServer(t, nil)
	api := map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.ListStateMachines"}
	with := func(k, v string) map[string]string {
		h := map[string]string{}
		for a, b := range api {
			h[a] = b
		}
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
		return h
	}
	tests := []struct {
		name, method string
		header       map[string]string
		body         string
		status       int
		want         string
	}{
		{"ok", "POST", api, `{}`, 200, `{"stateMachines":[]}`},
		{"malformed JSON", "POST", api, `{"maxResults":`, 400, `{"__type":"com.amazon.coral.service#SerializationException"}`},
		{"unknown target", "POST", with("X-Amz-Target", "AWSStepFunctions.Nope"), `{}`, 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"missing target", "POST", with("X-Amz-Target", ""), `{}`, 400, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"wrong content type", "POST", with("Content-Type", "text/plain"), `{}`, 404, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"wrong method", "PUT", api, `{}`, 404, `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{"oversized", "POST", api, `{"x":"` + strings.Repeat("a", 3<<20) + `"}`, 413, `{"__type":"com.amazon.coral.service#RequestEntityTooLargeException","message":"Request body exceeds 2097152 bytes"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := rawCall(t, tc.method, srv.URL, tc.header, tc.body)
			if status != tc.status || body != tc.want {
				t.Errorf("%d %s\nwant %d %s", status, body, tc.status, tc.want)
			}
			if len(h.Get("X-Amzn-Requestid")) != 36 || h.Get("Content-Type") != "application/x-amz-json-1.0" {
				t.Errorf("headers %v", h)
			}
		})
	}
}

// signedCall sends an API request signed by aws-sdk-go-v2's own signer
// with the given key, region and time.
func signedCall(t *testing.T, url, op, body, akid, secret, region string, at time.Time) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, req, hex.EncodeToString(sum[:]), "states", region, at)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// With --auth, signatures made by the AWS SDK's signer are verified:
// right keys pass; unknown keys, wrong secrets, stale dates, another
// service's scope and unsigned requests get AWS's errors.
func TestServeAuth(t *testing.T) {
	srv, api := testAPIServer(t, accessKeys{"AKIDEXAMPLE": "s3cr3t"})
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	api.now = func() time.Time { return now }
	tests := []struct {
		name, akid, secret string
		at                 time.Time
		status             int
		want               string
	}{
		{"valid", "AKIDEXAMPLE", "s3cr3t", now, 200, `{"stateMachines":[]}`},
		{"valid within skew", "AKIDEXAMPLE", "s3cr3t", now.Add(-14 * time.Minute), 200, `{"stateMachines":[]}`},
		{"unknown key", "AKIDOTHER", "s3cr3t", now, 400, `{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}`},
		{"wrong secret", "AKIDEXAMPLE", "guess", now, 400, `{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`},
		{"expired", "AKIDEXAMPLE", "s3cr3t", now.Add(-16 * time.Minute), 400, `{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"Signature expired: 20250304T045007Z is now earlier than 20250304T045107Z (20250304T050607Z - 15 min.)"}`},
		{"future", "AKIDEXAMPLE", "s3cr3t", now.Add(16 * time.Minute), 400, `{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"Signature not yet current: 20250304T052207Z is still later than 20250304T052107Z (20250304T050607Z + 15 min.)"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := signedCall(t, srv.URL, "ListStateMachines", `{}`, tc.akid, tc.secret, "eu-west-1", tc.at)
			if status != tc.status || body != tc.want {
				t.Errorf("%d %s\nwant %d %s", status, body, tc.status, tc.want)
			}
		})
	}
	status, _, body := rawCall(t, "POST", srv.URL, map[string]string{"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.ListStateMachines"}, `{}`)
	if want := `{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Missing Authentication Token"}`; status != 400 || body != want {
		t.Errorf("unsigned: %d %s", status, body)
	}
	// A tampered body no longer matches its signature.
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	sum := sha256.Sum256([]byte(`{}`))
	v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "s3cr3t"}, req, hex.EncodeToString(sum[:]), "states", "eu-west-1", now)
	req.Body = io.NopCloser(strings.NewReader(`{"maxResults":1}`))
	req.ContentLength = int64(len(`{"maxResults":1}`))
	req.Header.Del("X-Amz-Content-Sha256")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(data, []byte("InvalidSignatureException")) {
		t.Errorf("tampered body: %s", data)
	}
	// A wrong service in the scope.
	status, body = func() (int, string) {
		r, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(`{}`))
		r.Header.Set("Content-Type", "application/x-amz-json-1.0")
		r.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
		v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "s3cr3t"}, r, hex.EncodeToString(sum[:]), "dynamodb", "eu-west-1", now)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		d, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(d)
	}()
	if status != 400 || !strings.Contains(body, `"message":"Credential should be scoped to correct service: 'states'."`) {
		t.Errorf("wrong service: %d %s", status, body)
	}
}

// Without --auth any signature passes, and the region comes from the
// credential scope: each region has its own service, and its ARNs.
func TestServeRegionFromScope(t *testing.T) {
	srv, _ := testAPIServer(t, nil)
	create := func(region string) string {
		status, body := signedCall(t, srv.URL, "CreateActivity", `{"name":"a"}`, "anything", "anything", region, time.Now())
		if status != 200 {
			t.Fatalf("%s: %d %s", region, status, body)
		}
		var out struct{ ActivityArn string }
		json.Unmarshal([]byte(body), &out)
		return out.ActivityArn
	}
	if got := create("eu-west-3"); got != "arn:aws:states:eu-west-3:123456789012:activity:a" {
		t.Errorf("eu-west-3: %s", got)
	}
	// the same name in another region is another activity
	if got := create("ap-south-1"); got != "arn:aws:states:ap-south-1:123456789012:activity:a" {
		t.Errorf("ap-south-1: %s", got)
	}
	var list struct {
		Activities []struct{ ActivityArn string }
	}
	if err := awsCall(srv.URL, "ListActivities", map[string]string{}, &list); err != nil || len(list.Activities) != 0 {
		t.Errorf("the default region (unsigned) lists %v %v", list, err)
	}
}

func TestLoadAccessKeys(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"keys.json":   `{"AKID1":"one","AKID2":"two"}`,
		"credentials": "[default]\naws_access_key_id = AKID1\naws_secret_access_key = one\n\n[other]\naws_access_key_id=AKID2\naws_secret_access_key=two\nregion=eu-west-1\n",
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(text), 0o600)
		keys, err := loadAccessKeys(path)
		if err != nil || len(keys) != 2 || keys["AKID1"] != "one" || keys["AKID2"] != "two" {
			t.Errorf("%s: %v %v", name, keys, err)
		}
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("[default]\n"), 0o600)
	if _, err := loadAccessKeys(empty); err == nil {
		t.Error("a file without keys was accepted")
	}
}

func TestScopeRegion(t *testing.T) {
	for auth, want := range map[string]string{
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-central-2/states/aws4_request, SignedHeaders=host, Signature=00": "eu-central-2",
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-gov-west-1/states/aws4_request,SignedHeaders=host,Signature=00":  "us-gov-west-1",
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/../states/aws4_request":                                             "",
		"AWS4-HMAC-SHA256 Credential=AKID/20250101/states/aws4_request":                                                "",
		"Bearer x": "",
		"":         "",
	} {
		if got := scopeRegion(auth); got != want {
			t.Errorf("scopeRegion(%q) = %q, want %q", auth, got, want)
		}
	}
}

// The scaled clock runs 1/scale as fast from its anchor, never backwards,
// and converts waits back to wall time.
func TestScaledClock(t *testing.T) {
	var elapsed time.Duration
	anchor := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &scaledClock{scale: 0.01, since: func() time.Duration { return elapsed }, anchor: anchor}
	if got := c.Now(); !got.Equal(anchor) {
		t.Fatalf("at the anchor: %v", got)
	}
	elapsed = time.Second
	if got := c.Now(); !got.Equal(anchor.Add(100 * time.Second)) {
		t.Fatalf("after 1 s: %v", got)
	}
	if got := c.wallUntil(anchor.Add(200 * time.Second)); got != time.Second {
		t.Fatalf("wall wait for 100 s more: %v", got)
	}
	elapsed = 0 // a wall clock that went back
	if got := c.Now(); !got.Equal(anchor.Add(100 * time.Second)) {
		t.Fatalf("went backwards: %v", got)
	}
}

func TestParseServeFlags(t *testing.T) {
	env := map[string]string{"AWS_ACCOUNT_ID": "111122223333", "AWS_DEFAULT_REGION": "eu-west-1", "WAIT_TIME_SCALE": "0"}
	cfg, err := parseServeFlags(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.account != "111122223333" || cfg.region != "eu-west-1" || !cfg.virtual || cfg.addr != "127.0.0.1:8080" || cfg.dataDir != ".stepwise" {
		t.Errorf("from the environment: %+v", cfg)
	}
	cfg, err = parseServeFlags([]string{"--region", "ap-east-1", "--wait-time-scale", "0.5", "--account", "444455556666"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.clock.(*scaledClock); !ok || cfg.virtual || cfg.region != "ap-east-1" || cfg.account != "444455556666" {
		t.Errorf("flags over the environment: %+v", cfg)
	}
	for _, bad := range [][]string{{"--wait-time-scale", "-1"}, {"--wait-time-scale", "fast"}, {"--log-format", "xml"}, {"--region", "Not A Region"}, {"--mock-config", "/does/not/exist"}, {"stray"}} {
		if _, err := parseServeFlags(bad, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Execution log records go to one file per log group under the data
// folder, one JSON record per line.
func TestServeExecutionLogs(t *testing.T) {
	srv, api := testAPIServer(t, nil)
	group := "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/orders:*"
	def := `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom"}}}`
	var sm struct{ StateMachineArn string }
	if err := awsCall(srv.URL, "CreateStateMachine", map[string]any{"name": "orders", "definition": def, "roleArn": "arn:aws:iam::123456789012:role/r",
		"loggingConfiguration": map[string]any{"level": "ERROR", "destinations": []any{map[string]any{"cloudWatchLogsLogGroup": map[string]string{"logGroupArn": group}}}}}, &sm); err != nil {
		t.Fatal(err)
	}
	if err := awsCall(srv.URL, "StartExecution", map[string]string{"stateMachineArn": sm.StateMachineArn}, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(api.cfg.logs.dir, "aws_vendedlogs_states_orders.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"type":"FailStateEntered"`) || !strings.Contains(lines[1], `"type":"ExecutionFailed"`) {
		t.Fatalf("log file:\n%s", data)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("not one JSON record: %s", l)
		}
	}
}

func TestLogFileName(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:logs:us-east-1:1:log-group:/aws/vendedlogs/states/x:*": "aws_vendedlogs_states_x.log",
		"arn:aws:logs:us-east-1:1:log-group:my.group-1_a#b:*":           "my.group-1_a#b.log",
		"arn:aws:logs:us-east-1:1:log-group:..:*":                       "_...log",
		"": "_.log",
	} {
		if got := logFileName(arn); got != want {
			t.Errorf("logFileName(%q) = %q, want %q", arn, got, want)
		}
	}
}

// Shutdown ends long polls at once with AWS's empty answer, and close
// stops the services' timer loops.
func TestShutdownEndsLongPolls(t *testing.T) {
	cfg, err := parseServeFlags([]string{"--data-dir", t.TempDir()}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	stopping, stop := context.WithCancel(context.Background())
	api := newAPIServer(cfg, nil, slog.New(slog.DiscardHandler), stopping)
	srv := httptest.NewServer(serveHandler(http.NotFoundHandler(), api))
	defer srv.Close()
	var act struct{ ActivityArn string }
	if err := awsCall(srv.URL, "CreateActivity", map[string]string{"name": "a"}, &act); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		var task map[string]any
		err := awsCall(srv.URL, "GetActivityTask", map[string]string{"activityArn": act.ActivityArn}, &task)
		done <- fmt.Sprint(task, err)
	}()
	stop()
	select {
	case got := <-done:
		if got != "map[] <nil>" {
			t.Errorf("poll answered %s", got)
		}
	case <-time.After(sfn.ActivityPollWait / 2): // a hang guard, not a timing assertion
		t.Fatal("the long poll outlived shutdown")
	}
	if err := api.close(); err != nil {
		t.Fatal(err)
	}
}
