package sfn

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/interp"
)

const (
	actARN    = "arn:aws:states:us-east-1:123456789012:activity:work"
	actPrefix = "arn:aws:states:us-east-1:123456789012:activity:"
)

// activityDef is a state machine with one activity Task; extra adds
// fields to the Task state.
func activityDef(extra string) string {
	return `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"` + actARN + `"` + extra + `,"End":true}}}`
}

func TestActivityOperations(t *testing.T) {
	clock := interp.NewVirtualClock(DefaultEpoch)
	s := newTestService(Options{Clock: clock})
	created := mustInvoke(t, s, "CreateActivity", `{"name":"work","tags":[{"key":"team","value":"a"}]}`)
	if created["activityArn"] != actARN || created["creationDate"] != float64(DefaultEpoch.Unix()) {
		t.Fatalf("CreateActivity = %v", created)
	}
	clock.Advance(time.Minute)
	// Idempotent by name: the same ARN and creation date, other tags ignored.
	again := mustInvoke(t, s, "CreateActivity", `{"name":"work","tags":[{"key":"team","value":"b"}]}`)
	if again["activityArn"] != actARN || again["creationDate"] != created["creationDate"] {
		t.Fatalf("CreateActivity again = %v, want %v", again, created)
	}
	if got := mustJSON(mustInvoke(t, s, "ListTagsForResource", `{"resourceArn":"`+actARN+`"}`)); got != `{"tags":[{"key":"team","value":"a"}]}` {
		t.Fatalf("tags after the second create: %s", got)
	}
	mustInvoke(t, s, "TagResource", `{"resourceArn":"`+actARN+`","tags":[{"key":"env","value":"dev"}]}`)
	mustInvoke(t, s, "UntagResource", `{"resourceArn":"`+actARN+`","tagKeys":["team"]}`)
	if got := mustJSON(mustInvoke(t, s, "ListTagsForResource", `{"resourceArn":"`+actARN+`"}`)); got != `{"tags":[{"key":"env","value":"dev"}]}` {
		t.Fatalf("tags after TagResource and UntagResource: %s", got)
	}
	if _, err := invoke(t, s, "ListTagsForResource", `{"resourceArn":"`+actPrefix+`gone"}`); err == nil || err.Code != CodeResourceNotFound {
		t.Fatalf("tags of a missing activity: %v", err)
	}
	mustInvoke(t, s, "CreateActivity", `{"name":"enc","encryptionConfiguration":{"type":"CUSTOMER_MANAGED_KMS_KEY","kmsKeyId":"alias/k","kmsDataKeyReusePeriodSeconds":300}}`)
	mustInvoke(t, s, "CreateActivity", `{"name":"plain","encryptionConfiguration":{"type":"AWS_OWNED_KEY"}}`)
	// An AWS-owned key is what no configuration means.
	mustInvoke(t, s, "CreateActivity", `{"name":"plain"}`)

	if d := mustInvoke(t, s, "DescribeActivity", `{"activityArn":"`+actARN+`"}`); mustJSON(d) != `{"activityArn":"`+actARN+`","creationDate":1704067200,"name":"work"}` {
		t.Fatalf("DescribeActivity = %s", mustJSON(d))
	}
	d := mustInvoke(t, s, "DescribeActivity", `{"activityArn":"`+actPrefix+`enc"}`)
	if got := mustJSON(d["encryptionConfiguration"]); got != `{"kmsDataKeyReusePeriodSeconds":300,"kmsKeyId":"alias/k","type":"CUSTOMER_MANAGED_KMS_KEY"}` {
		t.Fatalf("encryptionConfiguration = %s", got)
	}
	if d["creationDate"] != float64(DefaultEpoch.Add(time.Minute).Unix()) {
		t.Fatalf("creationDate = %v", d["creationDate"])
	}

	tags51 := make([]string, 51)
	for i := range tags51 {
		tags51[i] = fmt.Sprintf(`{"key":"k%d","value":"v"}`, i)
	}
	long := strings.Repeat("a", 81)
	tests := []struct {
		op, body  string
		code, msg string
	}{
		{"CreateActivity", `{}`, CodeValidation, "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"CreateActivity", `{"name":"` + long + `"}`, CodeValidation, "1 validation error detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"CreateActivity", `{"name":"TestActivity InvalidName$"}`, CodeInvalidName, "Invalid Name: 'TestActivity InvalidName$'"},
		{"CreateActivity", `{"name":"a:b"}`, CodeInvalidName, "Invalid Name: 'a:b'"},
		{"CreateActivity", `{"name":"t","tags":[` + strings.Join(tags51, ",") + `]}`, CodeTooManyTags, "Too many tags: 51 tags were provided but at most 50 are allowed"},
		{"CreateActivity", `{"name":"t","tags":[{"key":"","value":"v"}]}`, CodeValidation, "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"CreateActivity", `{"name":"t","tags":[{"key":"aws:x","value":"v"}]}`, CodeValidation, ""},
		{"CreateActivity", `{"name":"t","encryptionConfiguration":{}}`, CodeValidation, "1 validation error detected: Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null"},
		{"CreateActivity", `{"name":"t","encryptionConfiguration":{"type":"NONE"}}`, CodeValidation, "1 validation error detected: Value 'NONE' at 'encryptionConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOMER_MANAGED_KMS_KEY, AWS_OWNED_KEY]"},
		{"CreateActivity", `{"name":"t","encryptionConfiguration":{"type":"CUSTOMER_MANAGED_KMS_KEY","kmsKeyId":"k","kmsDataKeyReusePeriodSeconds":10}}`, CodeValidation, "1 validation error detected: Value '10' at 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		{"CreateActivity", `{"name":"t","encryptionConfiguration":{"type":"CUSTOMER_MANAGED_KMS_KEY"}}`, CodeInvalidEncryptionConfiguration, ""},
		{"CreateActivity", `{"name":"t","encryptionConfiguration":{"type":"AWS_OWNED_KEY","kmsKeyId":"k"}}`, CodeInvalidEncryptionConfiguration, ""},
		{"CreateActivity", `{"name":"work","encryptionConfiguration":{"type":"CUSTOMER_MANAGED_KMS_KEY","kmsKeyId":"k"}}`, CodeActivityAlreadyExists, "Activity Already Exists: '" + actARN + "'"},
		{"CreateActivity", `{"name":7}`, CodeSerialization, ""},

		{"DescribeActivity", `{}`, CodeValidation, "1 validation error detected: Value null at 'activityArn' failed to satisfy constraint: Member must not be null"},
		{"DescribeActivity", `{"activityArn":"no_an_activity_arn"}`, CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'"},
		{"DescribeActivity", `{"activityArn":"` + smARN + `"}`, CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: stateMachine'"},
		{"DescribeActivity", `{"activityArn":"` + actPrefix + `gone"}`, CodeActivityDoesNotExist, "Activity Does Not Exist: '" + actPrefix + "gone'"},

		{"DeleteActivity", `{}`, CodeValidation, "1 validation error detected: Value null at 'activityArn' failed to satisfy constraint: Member must not be null"},
		{"DeleteActivity", `{"activityArn":"no_an_activity_arn"}`, CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'"},

		{"ListActivities", `{"maxResults":1001}`, CodeValidation, "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"ListActivities", `{"nextToken":"sm.1"}`, CodeInvalidToken, "Invalid Token: 'sm.1'"},

		{"GetActivityTask", `{}`, CodeValidation, "1 validation error detected: Value null at 'activityArn' failed to satisfy constraint: Member must not be null"},
		{"GetActivityTask", `{"activityArn":"` + actARN + `","workerName":"` + long + `"}`, CodeValidation, "1 validation error detected: Value '" + long + "' at 'workerName' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"GetActivityTask", `{"activityArn":"no_an_activity_arn"}`, CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'"},
		{"GetActivityTask", `{"activityArn":"` + actPrefix + `gone"}`, CodeActivityDoesNotExist, "Activity Does Not Exist: '" + actPrefix + "gone'"},
	}
	for _, tc := range tests {
		t.Run(tc.op+" "+tc.body[:min(len(tc.body), 60)], func(t *testing.T) {
			_, err := invoke(t, s, tc.op, tc.body)
			if err == nil || err.Code != tc.code || tc.msg != "" && err.Message != tc.msg {
				t.Fatalf("error = %v, want %s: %s", err, tc.code, tc.msg)
			}
		})
	}

	// ListActivities pages in ARN order.
	page := mustInvoke(t, s, "ListActivities", `{"maxResults":2}`)
	items := page["activities"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["name"] != "enc" || items[1].(map[string]any)["name"] != "plain" || page["nextToken"] == nil {
		t.Fatalf("first page = %s", mustJSON(page))
	}
	page = mustInvoke(t, s, "ListActivities", `{"maxResults":2,"nextToken":"`+page["nextToken"].(string)+`"}`)
	if got := mustJSON(page); got != `{"activities":[{"activityArn":"`+actARN+`","creationDate":1704067200,"name":"work"}]}` {
		t.Fatalf("second page = %s", got)
	}

	// Nothing waits: GetActivityTask answers at once, without a token.
	if got := mustJSON(mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`","workerName":"w"}`)); got != `{}` {
		t.Fatalf("GetActivityTask with nothing queued = %s", got)
	}

	mustInvoke(t, s, "DeleteActivity", `{"activityArn":"`+actARN+`"}`)
	mustInvoke(t, s, "DeleteActivity", `{"activityArn":"`+actARN+`"}`) // idempotent
	if _, err := invoke(t, s, "DescribeActivity", `{"activityArn":"`+actARN+`"}`); err == nil || err.Code != CodeActivityDoesNotExist {
		t.Fatalf("describe after delete: %v", err)
	}
	if _, err := invoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`"}`); err == nil || err.Code != CodeActivityDoesNotExist {
		t.Fatalf("GetActivityTask after delete: %v", err)
	}
	if got := mustJSON(mustInvoke(t, s, "ListActivities", `{}`)["activities"]); strings.Contains(got, `"work"`) {
		t.Fatalf("deleted activity still listed: %s", got)
	}
}

// eventsOf returns an execution's events, decoded.
func eventsOf(t *testing.T, s *Service, exec string) []map[string]any {
	t.Helper()
	h := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+exec+`"}`)
	var out []map[string]any
	for _, e := range h["events"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func typesOf(events []map[string]any) string {
	var ts []string
	for _, e := range events {
		ts = append(ts, e["type"].(string))
	}
	return strings.Join(ts, ",")
}

// TestActivityWorkerExchange runs an activity Task against a worker
// goroutine that long-polls, heartbeats and answers, as an SDK worker
// does against AWS.
func TestActivityWorkerExchange(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateActivity", `{"name":"work"}`)
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", activityDef(`,"TimeoutSeconds":60,"HeartbeatSeconds":10`), ""))

	type result struct {
		task GetActivityTaskOutput
		err  error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		var r result
		defer func() { done <- r }()
		resp, err := s.PollActivityTask(ctx, []byte(`{"activityArn":"`+actARN+`","workerName":"worker-1"}`))
		if err != nil {
			r.err = err
			return
		}
		if r.err = json.Unmarshal(resp, &r.task); r.err != nil || r.task.TaskToken == "" || r.task.Input == nil {
			r.err = fmt.Errorf("poll answered %s (%v)", resp, r.err)
			return
		}
		tok := r.task.TaskToken
		if _, r.err = s.Invoke(ctx, "SendTaskHeartbeat", []byte(`{"taskToken":"`+tok+`"}`)); r.err != nil {
			return
		}
		var in map[string]any
		if r.err = json.Unmarshal([]byte(*r.task.Input), &in); r.err != nil {
			return
		}
		out, _ := json.Marshal(map[string]any{"doubled": in["n"].(float64) * 2})
		body, _ := json.Marshal(map[string]string{"taskToken": tok, "output": string(out)})
		_, r.err = s.Invoke(ctx, "SendTaskSuccess", body)
	}()

	// Start the execution once the worker's poll waits, so the task
	// reaches it through the long poll.
	for waiting := 0; waiting == 0; {
		select {
		case r := <-done:
			t.Fatalf("the worker ended before its poll waited: %+v", r)
		default:
		}
		runtime.Gosched()
		s.mu.Lock()
		waiting = s.acts.polls
		s.mu.Unlock()
	}
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e1","input":"{\"n\":21}"}`)
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if *r.task.Input != `{"n":21}` {
		t.Fatalf("task input = %s", *r.task.Input)
	}
	exec := execPrefix + "e1"
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`)
	if d["status"] != "SUCCEEDED" || d["output"] != `{"doubled":42}` {
		t.Fatalf("execution = %v %v", d["status"], d["output"])
	}
	events := eventsOf(t, s, exec)
	if got := typesOf(events); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivitySucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("history %s", got)
	}
	if got := mustJSON(events[2]["activityScheduledEventDetails"]); got != `{"heartbeatInSeconds":10,"input":"{\"n\":21}","inputDetails":{"truncated":false},"resource":"`+actARN+`","timeoutInSeconds":60}` {
		t.Fatalf("ActivityScheduled = %s", got)
	}
	if got := mustJSON(events[3]["activityStartedEventDetails"]); got != `{"workerName":"worker-1"}` || events[3]["previousEventId"] != float64(3) {
		t.Fatalf("ActivityStarted = %s (previous %v)", got, events[3]["previousEventId"])
	}
	if got := mustJSON(events[4]["activitySucceededEventDetails"]); got != `{"output":"{\"doubled\":42}","outputDetails":{"truncated":false}}` {
		t.Fatalf("ActivitySucceeded = %s", got)
	}

	// A poll whose context is done answers empty.
	ended, stop := context.WithCancel(context.Background())
	stop()
	resp, err := s.PollActivityTask(ended, []byte(`{"activityArn":"`+actARN+`"}`))
	if err != nil || string(resp) != `{}` {
		t.Fatalf("poll with a done context = %s, %v", resp, err)
	}
	if _, err := s.PollActivityTask(ended, []byte(`{"activityArn":"nope"}`)); err == nil || err.(*Error).Code != CodeInvalidArn {
		t.Fatalf("poll with a bad ARN: %v", err)
	}
}

func TestActivityFailure(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateActivity", `{"name":"work"}`)
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", activityDef(""), ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e1","input":"{\"Value1\":\"HelloWorld\"}"}`)
	exec := execPrefix + "e1"
	if got := typesOf(eventsOf(t, s, exec)); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled" {
		t.Fatalf("before a worker: %s", got)
	}
	// The token of a task no worker has taken was never given out.
	queued := s.acts.waiting[actARN][0].token
	if _, err := invoke(t, s, "SendTaskSuccess", `{"taskToken":"`+queued+`","output":"{}"}`); err == nil || err.Code != CodeInvalidToken {
		t.Fatalf("SendTaskSuccess before GetActivityTask: %v", err)
	}
	task := mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`"}`)
	if task["taskToken"] != queued || task["input"] != `{"Value1":"HelloWorld"}` {
		t.Fatalf("GetActivityTask = %v", task)
	}
	// Taken once: the next poll finds nothing.
	if got := mustJSON(mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`"}`)); got != `{}` {
		t.Fatalf("second GetActivityTask = %s", got)
	}
	mustInvoke(t, s, "SendTaskFailure", `{"taskToken":"`+queued+`","error":"Programmatic Error","cause":"{\"Value1\": \"HelloWorld\"}"}`)
	events := eventsOf(t, s, exec)
	if got := typesOf(events); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivityFailed,ExecutionFailed" {
		t.Fatalf("history %s", got)
	}
	// No workerName given: the details are empty, as on AWS.
	if got := mustJSON(events[3]["activityStartedEventDetails"]); got != `{}` {
		t.Fatalf("ActivityStarted = %s", got)
	}
	if got := mustJSON(events[4]["activityFailedEventDetails"]); got != `{"cause":"{\"Value1\": \"HelloWorld\"}","error":"Programmatic Error"}` {
		t.Fatalf("ActivityFailed = %s", got)
	}
	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+exec+`"}`)
	if d["status"] != "FAILED" || d["error"] != "Programmatic Error" {
		t.Fatalf("execution = %v", d)
	}
	if _, err := invoke(t, s, "SendTaskSuccess", `{"taskToken":"`+queued+`","output":"{}"}`); err == nil || err.Code != CodeTaskTimedOut {
		t.Fatalf("answer after the end: %v", err)
	}
}

// TestActivityTimeouts runs on a virtual service clock that the test moves,
// with Advance firing what is due.
func TestActivityTimeouts(t *testing.T) {
	ctx := context.Background()
	clock := interp.NewVirtualClock(DefaultEpoch)
	s := newTestService(Options{Clock: clock})
	mustInvoke(t, s, "CreateActivity", `{"name":"work"}`)
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", activityDef(`,"TimeoutSeconds":30,"HeartbeatSeconds":10`), ""))
	advance := func(d time.Duration) {
		t.Helper()
		clock.Advance(d)
		if err := s.Advance(ctx); err != nil {
			t.Fatal(err)
		}
	}
	status := func(name string) string {
		return mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+name+`"}`)["status"].(string)
	}

	// Heartbeat: the timeouts start when a worker takes the task.
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"hb"}`)
	if _, ok := s.NextWake(); ok {
		t.Fatal("a task no worker has taken has a timeout")
	}
	advance(100 * time.Second)
	if st := status("hb"); st != "RUNNING" {
		t.Fatalf("untaken task after 100 s: %s", st)
	}
	tok := mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`","workerName":"w"}`)["taskToken"].(string)
	if w, ok := s.NextWake(); !ok || !w.Equal(DefaultEpoch.Add(110*time.Second)) {
		t.Fatalf("NextWake after the start = %v %v", w, ok)
	}
	advance(8 * time.Second)
	mustInvoke(t, s, "SendTaskHeartbeat", `{"taskToken":"`+tok+`"}`)
	advance(8 * time.Second) // 116 s: past the first heartbeat deadline, not the renewed one (118 s)
	if st := status("hb"); st != "RUNNING" {
		t.Fatalf("after a heartbeat: %s", st)
	}
	advance(2 * time.Second)
	if st := status("hb"); st != "FAILED" {
		t.Fatalf("after the heartbeat timeout: %s", st)
	}
	events := eventsOf(t, s, execPrefix+"hb")
	if got := typesOf(events); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivityTimedOut,ExecutionFailed" {
		t.Fatalf("history %s", got)
	}
	if got := mustJSON(events[4]["activityTimedOutEventDetails"]); got != `{"error":"States.HeartbeatTimeout"}` {
		t.Fatalf("ActivityTimedOut = %s", got)
	}
	if events[3]["timestamp"] != float64(DefaultEpoch.Add(100*time.Second).Unix()) || events[4]["timestamp"] != float64(DefaultEpoch.Add(118*time.Second).Unix()) {
		t.Fatalf("timestamps %v %v", events[3]["timestamp"], events[4]["timestamp"])
	}
	if _, err := invoke(t, s, "SendTaskHeartbeat", `{"taskToken":"`+tok+`"}`); err == nil || err.Code != CodeTaskTimedOut {
		t.Fatalf("heartbeat after the timeout: %v", err)
	}

	// TimeoutSeconds: heartbeats do not extend it.
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"to"}`)
	tok = mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`"}`)["taskToken"].(string)
	for range 3 {
		advance(9 * time.Second)
		mustInvoke(t, s, "SendTaskHeartbeat", `{"taskToken":"`+tok+`"}`)
	}
	advance(3 * time.Second)
	events = eventsOf(t, s, execPrefix+"to")
	if got := mustJSON(events[len(events)-2]); !strings.Contains(got, `"activityTimedOutEventDetails":{"error":"States.Timeout"}`) {
		t.Fatalf("timeout event %s", got)
	}
}

// TestActivityTasksOfEndedExecutions: a stopped or timed-out execution's
// queued task is not handed out; the next one is.
func TestActivityTasksOfEndedExecutions(t *testing.T) {
	ctx := context.Background()
	clock := interp.NewVirtualClock(DefaultEpoch)
	s := newTestService(Options{Clock: clock})
	mustInvoke(t, s, "CreateActivity", `{"name":"work"}`)
	def := `{"TimeoutSeconds":5,"StartAt":"A","States":{"A":{"Type":"Task","Resource":"` + actARN + `","End":true}}}`
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", def, ""))
	start := func(name string) {
		mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"`+name+`","input":"{\"name\":\"`+name+`\"}"}`)
	}
	start("stopped")
	start("timedout")
	mustInvoke(t, s, "StopExecution", `{"executionArn":"`+execPrefix+`stopped"}`)
	clock.Advance(5 * time.Second)
	if err := s.Advance(ctx); err != nil {
		t.Fatal(err)
	}
	if got := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`timedout"}`)["status"]; got != "TIMED_OUT" {
		t.Fatalf("timedout: %v", got)
	}
	start("fresh")
	clock.Advance(time.Second)
	start("next")
	// "fresh" is past its execution timeout, "next" is not; nobody has
	// called Advance, so the poll is the first to notice.
	clock.Advance(4 * time.Second)
	task := mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`"}`)
	if task["input"] != `{"name":"next"}` {
		t.Fatalf("GetActivityTask handed out %v, want the task of 'next'", task)
	}
	if got := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`fresh"}`)["status"]; got != "TIMED_OUT" {
		t.Fatalf("an execution past its timeout when polled: %v", got)
	}
	if got := typesOf(eventsOf(t, s, execPrefix+"fresh")); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled,ExecutionTimedOut" {
		t.Fatalf("fresh history %s", got)
	}
	if got := mustJSON(mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`"}`)); got != `{}` {
		t.Fatalf("queue after the live task was taken: %s", got)
	}
}

// TestActivityRetrySchedulesAgain: a failed activity task retried is a new
// task with a new token for the workers.
func TestActivityRetrySchedulesAgain(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateActivity", `{"name":"work"}`)
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", activityDef(`,"Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":1}]`), ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e1"}`)
	first := mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`"}`)["taskToken"].(string)
	mustInvoke(t, s, "SendTaskFailure", `{"taskToken":"`+first+`","error":"Flaky"}`)
	second := mustInvoke(t, s, "GetActivityTask", `{"activityArn":"`+actARN+`"}`)["taskToken"]
	if second == nil || second == first {
		t.Fatalf("retry token %v (first %s)", second, first)
	}
	mustInvoke(t, s, "SendTaskSuccess", `{"taskToken":"`+second.(string)+`","output":"\"ok\""}`)
	if got := typesOf(eventsOf(t, s, execPrefix+"e1")); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivityFailed,"+
		"ActivityScheduled,ActivityStarted,ActivitySucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("history %s", got)
	}
}

// TestActivityWithoutStoreIsMocked: an activity ARN that was never created
// goes on to the task runner (mocks), which records ActivityStarted at once.
func TestActivityWithoutStoreIsMocked(t *testing.T) {
	tasks := interp.TaskRunnerFunc(func(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
		return interp.TaskResult{Output: []byte(`{"mocked":true}`)}
	})
	s := newTestService(Options{Virtual: true, Tasks: tasks})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", activityDef(""), ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e1"}`)
	if got := typesOf(eventsOf(t, s, execPrefix+"e1")); got != "ExecutionStarted,TaskStateEntered,ActivityScheduled,ActivityStarted,ActivitySucceeded,TaskStateExited,ExecutionSucceeded" {
		t.Fatalf("history %s", got)
	}
}
