package sfn

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// resultDef is a one-state machine whose output names it.
func resultDef(result string) string {
	return `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"` + result + `","End":true}}}`
}

func updateBody(def, extra string) string {
	b, _ := json.Marshal(def)
	s := `{"stateMachineArn":"` + smARN + `","definition":` + string(b)
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

// apiCase is one request and the error it must get.
type apiCase struct {
	name, op, body string
	code, message  string
}

func runAPICases(t *testing.T, s *Service, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := invoke(t, s, tc.op, tc.body)
			if err == nil {
				t.Fatalf("%s %s succeeded, want %s", tc.op, tc.body, tc.code)
			}
			if err.Code != tc.code || err.Message != tc.message {
				t.Errorf("%s error\ngot  %s: %s\nwant %s: %s", tc.op, err.Code, err.Message, tc.code, tc.message)
			}
		})
	}
}

func TestVersionLifecycle(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	c := mustInvoke(t, s, "CreateStateMachine", createBody("sm", resultDef("one"), `"publish":true,"versionDescription":"first"`))
	if c["stateMachineVersionArn"] != smARN+":1" {
		t.Fatalf("CreateStateMachine with publish = %v", c)
	}
	d := mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`:1"}`)
	if d["stateMachineArn"] != smARN+":1" || d["description"] != "first" || d["definition"] != resultDef("one") ||
		d["name"] != "sm" || d["revisionId"] != nil || d["status"] != "ACTIVE" {
		t.Fatalf("DescribeStateMachine(version) = %v", d)
	}
	if d := mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`"}`); d["description"] != nil {
		t.Fatalf("machine has the version's description: %v", d)
	}
	// Nothing changed since: publishing again returns version 1.
	if p := mustInvoke(t, s, "PublishStateMachineVersion", `{"stateMachineArn":"`+smARN+`"}`); p["stateMachineVersionArn"] != smARN+":1" {
		t.Fatalf("idempotent publish = %v", p)
	}
	// An update that changes nothing on a never-updated machine has no
	// revision and publishes nothing new (as AWS records).
	if u := mustInvoke(t, s, "UpdateStateMachine", updateBody(resultDef("one"), `"publish":true`)); u["stateMachineVersionArn"] != smARN+":1" || u["revisionId"] != nil {
		t.Fatalf("no-op update with publish = %v", u)
	}

	u := mustInvoke(t, s, "UpdateStateMachine", updateBody(resultDef("two"), ""))
	rev := u["revisionId"].(string)
	if u["stateMachineVersionArn"] != nil {
		t.Fatalf("update without publish published: %v", u)
	}
	_, err := invoke(t, s, "PublishStateMachineVersion", `{"stateMachineArn":"`+smARN+`","revisionId":"old"}`)
	if err == nil || err.Code != CodeConflict ||
		err.Message != "Failed to publish the State Machine version for revision old. The current State Machine revision is "+rev+"." {
		t.Fatalf("publish stale revision: %v", err)
	}
	p := mustInvoke(t, s, "PublishStateMachineVersion", `{"stateMachineArn":"`+smARN+`","revisionId":"`+rev+`","description":"second"}`)
	if p["stateMachineVersionArn"] != smARN+":2" || p["creationDate"] == nil {
		t.Fatalf("publish = %v", p)
	}
	d = mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`:2"}`)
	if d["revisionId"] != rev || d["description"] != "second" || d["definition"] != resultDef("two") {
		t.Fatalf("DescribeStateMachine(v2) = %v", d)
	}

	u = mustInvoke(t, s, "UpdateStateMachine", updateBody(resultDef("three"), `"publish":true,"versionDescription":"third"`))
	if u["stateMachineVersionArn"] != smARN+":3" || u["revisionId"] == nil {
		t.Fatalf("update with publish = %v", u)
	}
	var arns []string
	token := ""
	for range 5 {
		body := `{"stateMachineArn":"` + smARN + `","maxResults":2`
		if token != "" {
			body += `,"nextToken":"` + token + `"`
		}
		page := mustInvoke(t, s, "ListStateMachineVersions", body+"}")
		for _, it := range page["stateMachineVersions"].([]any) {
			arns = append(arns, it.(map[string]any)["stateMachineVersionArn"].(string))
		}
		if token, _ = page["nextToken"].(string); token == "" {
			break
		}
	}
	if got := strings.Join(arns, " "); got != smARN+":3 "+smARN+":2 "+smARN+":1" {
		t.Fatalf("ListStateMachineVersions = %s", got)
	}

	// Deleted version numbers are not reused.
	for range 2 {
		mustInvoke(t, s, "DeleteStateMachineVersion", `{"stateMachineVersionArn":"`+smARN+`:3"}`)
	}
	if p := mustInvoke(t, s, "PublishStateMachineVersion", `{"stateMachineArn":"`+smARN+`"}`); p["stateMachineVersionArn"] != smARN+":4" {
		t.Fatalf("publish after delete = %v", p)
	}
	if _, err := invoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`:3"}`); err == nil || err.Code != CodeStateMachineDoesNotExist {
		t.Fatalf("describe deleted version: %v", err)
	}

	// DeleteStateMachine takes the versions and aliases with it.
	mustInvoke(t, s, "CreateStateMachineAlias", `{"name":"live","routingConfiguration":[{"stateMachineVersionArn":"`+smARN+`:4","weight":100}]}`)
	mustInvoke(t, s, "DeleteStateMachine", `{"stateMachineArn":"`+smARN+`"}`)
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", resultDef("one"), ""))
	if l := mustInvoke(t, s, "ListStateMachineVersions", `{"stateMachineArn":"`+smARN+`"}`); len(l["stateMachineVersions"].([]any)) != 0 {
		t.Fatalf("versions survived DeleteStateMachine: %v", l)
	}
	if _, err := invoke(t, s, "DescribeStateMachineAlias", `{"stateMachineAliasArn":"`+smARN+`:live"}`); err == nil || err.Code != CodeResourceNotFound {
		t.Fatalf("alias survived DeleteStateMachine: %v", err)
	}
	if p := mustInvoke(t, s, "PublishStateMachineVersion", `{"stateMachineArn":"`+smARN+`","revisionId":"INITIAL"}`); p["stateMachineVersionArn"] != smARN+":1" {
		t.Fatalf("publish on re-created machine = %v", p)
	}
}

func TestVersionErrors(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, `"publish":true`))
	mustInvoke(t, s, "CreateStateMachineAlias", `{"name":"live","routingConfiguration":[{"stateMachineVersionArn":"`+smARN+`:1","weight":100}]}`)
	long := strings.Repeat("d", 257)
	runAPICases(t, s, []apiCase{
		{"description without publish", "CreateStateMachine", createBody("x", passDef, `"versionDescription":"v"`), CodeValidation,
			"Version description can only be set when publish is true"},
		{"update description without publish", "UpdateStateMachine", updateBody(passDef, `"versionDescription":"v"`), CodeValidation,
			"Version description can only be set when publish is true"},
		{"version description too long", "CreateStateMachine", createBody("x", passDef, `"publish":true,"versionDescription":"`+long+`"`), CodeValidation,
			"1 validation error detected: Value '" + long + "' at 'versionDescription' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"publish without arn", "PublishStateMachineVersion", `{}`, CodeValidation,
			"1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null"},
		{"publish description too long", "PublishStateMachineVersion", `{"stateMachineArn":"` + smARN + `","description":"` + long + `"}`, CodeValidation,
			"1 validation error detected: Value '" + long + "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"publish invalid arn", "PublishStateMachineVersion", `{"stateMachineArn":"invalid_arn"}`, CodeInvalidArn,
			"Invalid Arn: 'Invalid ARN prefix: invalid_arn'"},
		{"publish unknown machine", "PublishStateMachineVersion", `{"stateMachineArn":"` + smARN + `x"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + "x'"},
		{"publish initial revision taken", "PublishStateMachineVersion", `{"stateMachineArn":"` + smARN + `","revisionId":"r"}`, CodeConflict,
			"Failed to publish the State Machine version for revision r. The current State Machine revision is INITIAL."},
		{"list versions max results", "ListStateMachineVersions", `{"stateMachineArn":"` + smARN + `","maxResults":1001}`, CodeValidation,
			"1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"list versions empty token", "ListStateMachineVersions", `{"stateMachineArn":"` + smARN + `","nextToken":""}`, CodeValidation,
			"1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"list versions bad token", "ListStateMachineVersions", `{"stateMachineArn":"` + smARN + `","nextToken":"x"}`, CodeInvalidToken,
			"Invalid Token: 'x'"},
		{"list versions unknown machine", "ListStateMachineVersions", `{"stateMachineArn":"` + smARN + `x"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + "x'"},
		{"delete version without arn", "DeleteStateMachineVersion", `{}`, CodeValidation,
			"1 validation error detected: Value null at 'stateMachineVersionArn' failed to satisfy constraint: Member must not be null"},
		{"delete version of machine arn", "DeleteStateMachineVersion", `{"stateMachineVersionArn":"` + smARN + `"}`, CodeInvalidArn,
			"Invalid Arn: 'Invalid ARN format: " + smARN + " is not a state machine version ARN'"},
		{"delete version behind alias", "DeleteStateMachineVersion", `{"stateMachineVersionArn":"` + smARN + `:1"}`, CodeConflict,
			"Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [live]"},
		{"update version arn", "UpdateStateMachine", `{"stateMachineArn":"` + smARN + `:1","definition":"{}"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + ":1'"},
		{"describe missing version", "DescribeStateMachine", `{"stateMachineArn":"` + smARN + `:9"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + ":9'"},
		{"describe alias as machine", "DescribeStateMachine", `{"stateMachineArn":"` + smARN + `:live"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + ":live'"},
		{"start missing version", "StartExecution", `{"stateMachineArn":"` + smARN + `:9"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + ":9'"},
		{"start missing alias", "StartExecution", `{"stateMachineArn":"` + smARN + `:gone"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + ":gone'"},
		{"list executions missing machine of version", "ListExecutions", `{"stateMachineArn":"` + smARN + `x:1"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + "x'"},
	})
}

func TestStartVersionExecution(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", resultDef("one"), `"publish":true`))
	u := mustInvoke(t, s, "UpdateStateMachine", updateBody(resultDef("two"), ""))
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`:1","name":"v"}`)
	mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"m"}`)

	d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`v"}`)
	if d["output"] != `"one"` || d["stateMachineArn"] != smARN || d["stateMachineVersionArn"] != smARN+":1" || d["stateMachineAliasArn"] != nil {
		t.Fatalf("DescribeExecution(version run) = %v", d)
	}
	d = mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`m"}`)
	if d["output"] != `"two"` || d["stateMachineVersionArn"] != nil {
		t.Fatalf("DescribeExecution(machine run) = %v", d)
	}
	f := mustInvoke(t, s, "DescribeStateMachineForExecution", `{"executionArn":"`+execPrefix+`v"}`)
	if f["stateMachineArn"] != smARN || f["definition"] != resultDef("one") || f["revisionId"] != nil {
		t.Fatalf("DescribeStateMachineForExecution(version run) = %v", f)
	}
	f = mustInvoke(t, s, "DescribeStateMachineForExecution", `{"executionArn":"`+execPrefix+`m"}`)
	if f["definition"] != resultDef("two") || f["revisionId"] != u["revisionId"] {
		t.Fatalf("DescribeStateMachineForExecution(machine run) = %v", f)
	}
	h := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+execPrefix+`v"}`)
	started := h["events"].([]any)[0].(map[string]any)["executionStartedEventDetails"].(map[string]any)
	if started["stateMachineVersionArn"] != smARN+":1" || started["stateMachineAliasArn"] != nil {
		t.Fatalf("ExecutionStarted = %v", started)
	}

	l := mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`:1"}`)
	items := l["executions"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["name"] != "v" || items[0].(map[string]any)["stateMachineVersionArn"] != smARN+":1" {
		t.Fatalf("ListExecutions(version) = %v", l)
	}
	if l := mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`"}`); len(l["executions"].([]any)) != 2 {
		t.Fatalf("ListExecutions(machine) = %v", l)
	}
}

func TestVersionLimit(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", resultDef("0"), `"publish":true`))
	for i := 1; i < maxVersions; i++ {
		mustInvoke(t, s, "UpdateStateMachine", updateBody(resultDef(fmt.Sprint(i)), `"publish":true`))
	}
	_, err := invoke(t, s, "UpdateStateMachine", updateBody(resultDef("last"), `"publish":true`))
	if err == nil || err.Code != CodeServiceQuotaExceeded {
		t.Fatalf("version %d: %v, want %s", maxVersions+1, err, CodeServiceQuotaExceeded)
	}
	// The failed publish left the machine as it was.
	if d := mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`"}`); d["definition"] != resultDef(fmt.Sprint(maxVersions-1)) {
		t.Fatalf("definition after failed publish = %v", d["definition"])
	}
	if _, err := invoke(t, s, "PublishStateMachineVersion", `{"stateMachineArn":"`+smARN+`"}`); err != nil {
		t.Fatalf("publishing the current, published revision: %v", err)
	}
	mustInvoke(t, s, "UpdateStateMachine", updateBody(resultDef("last"), ""))
	if _, err := invoke(t, s, "PublishStateMachineVersion", `{"stateMachineArn":"`+smARN+`"}`); err == nil || err.Code != CodeServiceQuotaExceeded {
		t.Fatalf("PublishStateMachineVersion over the limit: %v", err)
	}
	mustInvoke(t, s, "DeleteStateMachineVersion", `{"stateMachineVersionArn":"`+smARN+`:1"}`)
	if p := mustInvoke(t, s, "PublishStateMachineVersion", `{"stateMachineArn":"`+smARN+`"}`); p["stateMachineVersionArn"] != smARN+":1001" {
		t.Fatalf("publish after freeing a slot = %v", p)
	}
}

// FuzzParseMachineRef checks that any ARN parses without a panic and
// that a version or alias reference prints back to the ARN it came from.
func FuzzParseMachineRef(f *testing.F) {
	for _, s := range []string{smARN, smARN + ":1", smARN + ":live", smARN + ":0", smARN + ":007", "arn:aws:states:r:a:stateMachine:", "x", "arn:::::::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		if len(arn) > 4096 {
			return
		}
		ref, err := parseMachineRef(arn)
		switch {
		case err != nil:
		case ref.version > 0 && (!strings.HasPrefix(arn, ref.base+":") || strings.TrimLeft(arn[len(ref.base)+1:], "0") != fmt.Sprint(ref.version)):
			// Leading zeros parse (":007" is 7) but name no stored version.
			t.Fatalf("%q: version %d of %q does not print back", arn, ref.version, ref.base)
		case ref.alias != "" && ref.base+":"+ref.alias != arn:
			t.Fatalf("%q: alias %q of %q does not print back", arn, ref.alias, ref.base)
		case ref.version == 0 && ref.alias == "" && ref.base != arn:
			t.Fatalf("%q: plain reference changed to %q", arn, ref.base)
		}
	})
}
