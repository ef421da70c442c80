package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// counterIDs are deterministic UUIDs for tests.
type counterIDs struct{ n int }

func (c *counterIDs) UUID() string {
	c.n++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", c.n)
}

const (
	testRole = "arn:aws:iam::123456789012:role/test"
	passDef  = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	smARN    = "arn:aws:states:us-east-1:123456789012:stateMachine:sm"
)

func newTestService(opts Options) *Service {
	if opts.IDs == nil {
		opts.IDs = &counterIDs{}
	}
	if opts.Store == nil {
		opts.Store = mem.New()
	}
	return New(opts)
}

func invoke(t *testing.T, s *Service, op, body string) (map[string]any, *Error) {
	t.Helper()
	out, err := s.Invoke(context.Background(), op, []byte(body))
	if err != nil {
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			t.Fatalf("%s: error %v is not an *Error", op, err)
		}
		return nil, apiErr
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: response %s is not a JSON object: %v", op, out, err)
	}
	return m, nil
}

func mustInvoke(t *testing.T, s *Service, op, body string) map[string]any {
	t.Helper()
	m, err := invoke(t, s, op, body)
	if err != nil {
		t.Fatalf("%s %s: %v", op, body, err)
	}
	return m
}

func createBody(name, def string, extra string) string {
	b, _ := json.Marshal(def)
	s := fmt.Sprintf(`{"name":%q,"definition":%s,"roleArn":%q`, name, b, testRole)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func TestAPIErrors(t *testing.T) {
	long := strings.Repeat("a", 81)
	tests := []struct {
		name, op, body string
		code, message  string
	}{
		{"unknown operation", "Frobnicate", `{}`, CodeUnknownOperation, "Unknown operation Frobnicate"},
		{"malformed body", "DescribeStateMachine", `{`, CodeSerialization, "Malformed request body"},
		{"wrong type", "DescribeStateMachine", `{"stateMachineArn":1}`, CodeSerialization, "Unexpected value type for member 'stateMachineArn'"},
		{"missing arn", "DescribeStateMachine", `{}`, CodeValidation,
			"1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null"},
		{"create missing all", "CreateStateMachine", `{}`, CodeValidation,
			"3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'definition' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'roleArn' failed to satisfy constraint: Member must not be null"},
		{"name too long", "CreateStateMachine", createBody(long, passDef, ""), CodeValidation,
			"1 validation error detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"bad type", "CreateStateMachine", createBody("x", passDef, `"type":"FAST"`), CodeValidation,
			"1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"},
		{"name with space", "CreateStateMachine", createBody("a b", passDef, ""), CodeInvalidName, "Invalid Name: 'a b'"},
		{"name with slash", "CreateStateMachine", createBody("a/b", passDef, ""), CodeInvalidName, "Invalid Name: 'a/b'"},
		{"name with control", "CreateStateMachine", createBody("a\u0085b", passDef, ""), CodeInvalidName, "Invalid Name: 'a\u0085b'"},
		{"role not an arn", "CreateStateMachine", `{"name":"x","definition":"{}","roleArn":"role"}`, CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: role'"},
		{"logging without destination", "CreateStateMachine", createBody("x", passDef, `"loggingConfiguration":{"level":"ALL"}`),
			CodeInvalidLoggingConfiguration, "Invalid Logging Configuration: Must specify exactly one Log Destination."},
		{"logging two destinations", "CreateStateMachine", createBody("x", passDef,
			`"loggingConfiguration":{"level":"OFF","destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}},{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:h:*"}}]}`),
			CodeInvalidLoggingConfiguration, "Invalid Logging Configuration: Must specify exactly one Log Destination."},
		{"logging bad level", "CreateStateMachine", createBody("x", passDef, `"loggingConfiguration":{"level":"DEBUG"}`), CodeValidation,
			"1 validation error detected: Value 'DEBUG' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]"},
		{"invalid definition", "CreateStateMachine", createBody("x", `{"StartAt":"A"}`, ""), CodeInvalidDefinition,
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"},
		{"describe bad arn", "DescribeStateMachine", `{"stateMachineArn":"not_a_valid_arn"}`, CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"},
		{"describe execution arn as machine", "DescribeStateMachine", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e"}`,
			CodeInvalidArn, "Invalid Arn: 'Resource type not valid in this context: execution'"},
		{"describe unknown", "DescribeStateMachine", `{"stateMachineArn":"` + smARN + `x"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + "x'"},
		{"update nothing", "UpdateStateMachine", `{"stateMachineArn":"` + smARN + `"}`, CodeMissingRequiredParameter,
			"Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified"},
		{"start unknown machine", "StartExecution", `{"stateMachineArn":"` + smARN + `x"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + "x'"},
		{"start bad input word", "StartExecution", `{"stateMachineArn":"` + smARN + `","input":"not json"}`, CodeInvalidExecutionInput,
			"Invalid State Machine Execution Input: 'Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')'"},
		{"start bad input quote", "StartExecution", `{"stateMachineArn":"` + smARN + `","input":"{'a':1}"}`, CodeInvalidExecutionInput,
			"Invalid State Machine Execution Input: 'Unexpected character (''' (code 39)): was expecting double-quote to start field name'"},
		{"start empty input", "StartExecution", `{"stateMachineArn":"` + smARN + `","input":""}`, CodeInvalidExecutionInput,
			"Invalid State Machine Execution Input: 'Invalid execution input.'"},
		{"start bad name", "StartExecution", `{"stateMachineArn":"` + smARN + `","name":"a*b"}`, CodeInvalidName, "Invalid Name: 'a*b'"},
		{"start long trace header", "StartExecution", `{"stateMachineArn":"` + smARN + `","traceHeader":"` + strings.Repeat("t", 257) + `"}`, CodeValidation,
			"1 validation error detected: Value '" + strings.Repeat("t", 257) + "' at 'traceHeader' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"sync on standard", "StartSyncExecution", `{"stateMachineArn":"` + smARN + `"}`, CodeStateMachineTypeNotSupport,
			"This operation is not supported by this type of state machine"},
		{"describe execution bad arn", "DescribeExecution", `{"executionArn":"invalid_state_machine_arn"}`, CodeInvalidArn,
			"Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'"},
		{"describe express execution", "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:express:sm:e:u"}`, CodeInvalidArn,
			"Invalid Arn: 'Resource type not valid in this context: express'"},
		{"describe unknown execution", "DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e"}`,
			CodeExecutionDoesNotExist, "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:sm:e'"},
		{"history unknown execution", "GetExecutionHistory", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e"}`,
			CodeExecutionDoesNotExist, "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:sm:e'"},
		{"history max results", "GetExecutionHistory", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e","maxResults":1001}`,
			CodeValidation, "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"list machines max results", "ListStateMachines", `{"maxResults":1001}`, CodeValidation,
			"1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"list machines long token", "ListStateMachines", `{"nextToken":"` + strings.Repeat("x", 1025) + `"}`, CodeValidation,
			"1 validation error detected: Value '" + strings.Repeat("x", 1025) + "' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		{"list machines bad token", "ListStateMachines", `{"nextToken":"garbage"}`, CodeInvalidToken, "Invalid Token: 'garbage'"},
		{"list executions bad filter", "ListExecutions", `{"stateMachineArn":"` + smARN + `","statusFilter":"succeeded"}`, CodeValidation,
			"1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"},
		{"list executions unknown machine", "ListExecutions", `{"stateMachineArn":"` + smARN + `x"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + "x'"},
		{"list executions bad arn", "ListExecutions", `{"stateMachineArn":"invalid_state_machine_arn"}`, CodeInvalidArn,
			"Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'"},
		{"stop bad arn", "StopExecution", `{"executionArn":"x"}`, CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: x'"},
		{"stop long error", "StopExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e","error":"` + strings.Repeat("e", 257) + `"}`,
			CodeValidation, "1 validation error detected: Value '" + strings.Repeat("e", 257) + "' at 'error' failed to satisfy constraint: Member must have length less than or equal to 256"},
	}
	s := newTestService(Options{})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, ""))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := invoke(t, s, tt.op, tt.body)
			if err == nil {
				t.Fatalf("%s succeeded, want %s", tt.op, tt.code)
			}
			if err.Code != tt.code || err.Message != tt.message {
				t.Errorf("got  %s: %s\nwant %s: %s", err.Code, err.Message, tt.code, tt.message)
			}
			if err.HTTPStatus() != 400 {
				t.Errorf("HTTPStatus = %d, want 400", err.HTTPStatus())
			}
		})
	}
}

func TestNoStore(t *testing.T) {
	_, err := New(Options{}).Invoke(context.Background(), "ListStateMachines", nil)
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Code != CodeServiceUnavailable || apiErr.HTTPStatus() != 503 {
		t.Fatalf("Invoke without a store: %v", err)
	}
}

func TestHTTPStatus(t *testing.T) {
	for code, want := range map[string]int{CodeInternalFailure: 500, CodeServiceUnavailable: 503, CodeValidation: 400, CodeInvalidArn: 400} {
		if got := (&Error{Code: code}).HTTPStatus(); got != want {
			t.Errorf("HTTPStatus(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestStateMachineLifecycle(t *testing.T) {
	s := newTestService(Options{})
	created := mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, ""))
	if created["stateMachineArn"] != smARN {
		t.Fatalf("stateMachineArn = %v", created["stateMachineArn"])
	}
	if _, ok := created["stateMachineVersionArn"]; ok {
		t.Error("stateMachineVersionArn present without publish")
	}
	// An identical request is idempotent; a different one conflicts.
	again := mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, ""))
	if again["creationDate"] != created["creationDate"] {
		t.Errorf("idempotent create changed creationDate: %v vs %v", again, created)
	}
	_, err := invoke(t, s, "CreateStateMachine", createBody("sm", passDef, `"type":"EXPRESS"`))
	if err == nil || err.Code != CodeStateMachineAlreadyExists || err.Message != "State Machine Already Exists: '"+smARN+"'" {
		t.Fatalf("conflicting create: %v", err)
	}

	d := mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`"}`)
	want := map[string]any{
		"stateMachineArn": smARN, "name": "sm", "status": "ACTIVE", "definition": passDef, "roleArn": testRole,
		"type": "STANDARD", "creationDate": created["creationDate"],
		"loggingConfiguration": map[string]any{"level": "OFF", "includeExecutionData": false},
		"tracingConfiguration": map[string]any{"enabled": false},
	}
	if got, w := mustJSON(d), mustJSON(want); got != w {
		t.Errorf("DescribeStateMachine\ngot  %s\nwant %s", got, w)
	}

	newDef := `{"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}}`
	defJSON, _ := json.Marshal(newDef)
	u := mustInvoke(t, s, "UpdateStateMachine", `{"stateMachineArn":"`+smARN+`","definition":`+string(defJSON)+`}`)
	rev, _ := u["revisionId"].(string)
	if rev == "" || u["updateDate"] == nil {
		t.Fatalf("UpdateStateMachine = %v", u)
	}
	// The same update again changes nothing and keeps the revision.
	u2 := mustInvoke(t, s, "UpdateStateMachine", `{"stateMachineArn":"`+smARN+`","definition":`+string(defJSON)+`}`)
	if u2["revisionId"] != rev {
		t.Errorf("no-op update changed revisionId: %v -> %v", rev, u2["revisionId"])
	}
	d = mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`"}`)
	if d["definition"] != newDef || d["revisionId"] != rev {
		t.Errorf("after update: %v", d)
	}

	logging := `"loggingConfiguration":{"level":"ERROR","includeExecutionData":true,"destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}]}`
	mustInvoke(t, s, "CreateStateMachine", createBody("logged", passDef, logging))
	d = mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:logged"}`)
	if got := mustJSON(d["loggingConfiguration"]); got != `{"destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}],"includeExecutionData":true,"level":"ERROR"}` {
		t.Errorf("loggingConfiguration = %s", got)
	}

	for i := range 3 {
		mustInvoke(t, s, "CreateStateMachine", createBody(fmt.Sprintf("m%d", i), passDef, ""))
	}
	var names []string
	token := ""
	for range 10 {
		body := `{"maxResults":2}`
		if token != "" {
			body = `{"maxResults":2,"nextToken":"` + token + `"}`
		}
		page := mustInvoke(t, s, "ListStateMachines", body)
		for _, it := range page["stateMachines"].([]any) {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		token, _ = page["nextToken"].(string)
		if token == "" {
			break
		}
	}
	if got := strings.Join(names, ","); got != "logged,m0,m1,m2,sm" {
		t.Errorf("ListStateMachines pages = %s", got)
	}

	mustInvoke(t, s, "DeleteStateMachine", `{"stateMachineArn":"`+smARN+`"}`)
	mustInvoke(t, s, "DeleteStateMachine", `{"stateMachineArn":"`+smARN+`"}`)
	if _, err := invoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`"}`); err == nil || err.Code != CodeStateMachineDoesNotExist {
		t.Errorf("describe after delete: %v", err)
	}
}

func TestValidNameAndUUID(t *testing.T) {
	for name, want := range map[string]bool{
		"ok-name_1.x": true, "": true, "a b": false, "a\tb": false, "a<b": false, "a{b": false, "a]b": false,
		"a?b": false, "a\"b": false, "a#b": false, "a%b": false, "a\\b": false, "a^b": false, "a|b": false,
		"a~b": false, "a`b": false, "a$b": false, "a&b": false, "a,b": false, "a;b": false, "a:b": false,
		"a\x7fb": false, "a\u009fb": false, "a\u3000b": false, "ünïcode": true,
	} {
		if got := validName(name); got != want {
			t.Errorf("validName(%q) = %v, want %v", name, got, want)
		}
	}
	u := RandomIDs().UUID()
	if len(u) != 36 || u[14] != '4' || !strings.ContainsRune("89ab", rune(u[19])) {
		t.Errorf("RandomIDs().UUID() = %q, not a version 4 UUID", u)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
