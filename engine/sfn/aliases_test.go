package sfn

import (
	"fmt"
	"strings"
	"testing"
)

// route is one routingConfiguration item as a client sends it.
func route(version string, weight int) string {
	return fmt.Sprintf(`{"stateMachineVersionArn":"%s:%s","weight":%d}`, smARN, version, weight)
}

func aliasBody(name, description string, routes ...string) string {
	return fmt.Sprintf(`{"name":%q,"description":%q,"routingConfiguration":[%s]}`, name, description, strings.Join(routes, ","))
}

// twoVersions creates sm with version 1 answering "one" and version 2
// answering "two".
func twoVersions(t *testing.T, s *Service) {
	t.Helper()
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", resultDef("one"), `"publish":true`))
	mustInvoke(t, s, "UpdateStateMachine", updateBody(resultDef("two"), `"publish":true`))
}

func TestAliasLifecycle(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	twoVersions(t, s)
	aliasARN := smARN + ":live"
	c := mustInvoke(t, s, "CreateStateMachineAlias", aliasBody("live", "d", route("1", 100)))
	if c["stateMachineAliasArn"] != aliasARN || c["creationDate"] == nil {
		t.Fatalf("CreateStateMachineAlias = %v", c)
	}
	if again := mustInvoke(t, s, "CreateStateMachineAlias", aliasBody("live", "d", route("1", 100))); mustJSON(again) != mustJSON(c) {
		t.Fatalf("idempotent create = %v, want %v", again, c)
	}
	for _, body := range []string{aliasBody("live", "other", route("1", 100)), aliasBody("live", "d", route("1", 50), route("2", 50))} {
		_, err := invoke(t, s, "CreateStateMachineAlias", body)
		if err == nil || err.Code != CodeConflict ||
			err.Message != "Failed to create alias because an alias with the same name and a different routing configuration already exists." {
			t.Fatalf("conflicting create %s: %v", body, err)
		}
	}
	d := mustInvoke(t, s, "DescribeStateMachineAlias", `{"stateMachineAliasArn":"`+aliasARN+`"}`)
	created := mustJSON(c["creationDate"])
	want := fmt.Sprintf(`{"creationDate":%s,"description":"d","name":"live","routingConfiguration":[{"stateMachineVersionArn":"%s:1","weight":100}],"stateMachineAliasArn":"%s","updateDate":%s}`,
		created, smARN, aliasARN, created)
	if got := mustJSON(d); got != want {
		t.Fatalf("DescribeStateMachineAlias\ngot  %s\nwant %s", got, want)
	}
	if u := mustInvoke(t, s, "UpdateStateMachineAlias", `{"stateMachineAliasArn":"`+aliasARN+`","description":"new"}`); u["updateDate"] == nil {
		t.Fatalf("UpdateStateMachineAlias = %v", u)
	}
	mustInvoke(t, s, "UpdateStateMachineAlias", `{"stateMachineAliasArn":"`+aliasARN+`","routingConfiguration":[`+route("1", 50)+","+route("2", 50)+`]}`)
	d = mustInvoke(t, s, "DescribeStateMachineAlias", `{"stateMachineAliasArn":"`+aliasARN+`"}`)
	if d["description"] != "new" || mustJSON(d["routingConfiguration"]) != "["+route("1", 50)+","+route("2", 50)+"]" {
		t.Fatalf("after updates: %v", d)
	}

	mustInvoke(t, s, "CreateStateMachineAlias", aliasBody("beta", "", route("2", 100)))
	list := func(arn string) string {
		l := mustInvoke(t, s, "ListStateMachineAliases", `{"stateMachineArn":"`+arn+`"}`)
		var names []string
		for _, it := range l["stateMachineAliases"].([]any) {
			names = append(names, strings.TrimPrefix(it.(map[string]any)["stateMachineAliasArn"].(string), smARN+":"))
		}
		return strings.Join(names, ",")
	}
	if got := list(smARN); got != "beta,live" {
		t.Fatalf("ListStateMachineAliases = %s", got)
	}
	if got := list(smARN + ":1"); got != "live" {
		t.Fatalf("ListStateMachineAliases(version 1) = %s", got)
	}
	p := mustInvoke(t, s, "ListStateMachineAliases", `{"stateMachineArn":"`+smARN+`","maxResults":1}`)
	p2 := mustInvoke(t, s, "ListStateMachineAliases", `{"stateMachineArn":"`+smARN+`","maxResults":1,"nextToken":"`+p["nextToken"].(string)+`"}`)
	if len(p["stateMachineAliases"].([]any)) != 1 || len(p2["stateMachineAliases"].([]any)) != 1 || p2["nextToken"] != nil {
		t.Fatalf("paged ListStateMachineAliases = %v, %v", p, p2)
	}

	// Repointing the alias frees version 1.
	mustInvoke(t, s, "UpdateStateMachineAlias", `{"stateMachineAliasArn":"`+aliasARN+`","routingConfiguration":[`+route("2", 100)+`]}`)
	mustInvoke(t, s, "DeleteStateMachineVersion", `{"stateMachineVersionArn":"`+smARN+`:1"}`)
	for range 2 {
		mustInvoke(t, s, "DeleteStateMachineAlias", `{"stateMachineAliasArn":"`+aliasARN+`"}`)
	}
	if got := list(smARN); got != "beta" {
		t.Fatalf("after delete: %s", got)
	}
}

func TestAliasErrors(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	twoVersions(t, s)
	mustInvoke(t, s, "UpdateStateMachine", updateBody(resultDef("three"), `"publish":true`))
	mustInvoke(t, s, "CreateStateMachine", createBody("other", passDef, `"publish":true`))
	mustInvoke(t, s, "CreateStateMachineAlias", aliasBody("live", "", route("1", 100)))
	v := func(n string) string { return smARN + ":" + n }
	pattern := `Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$`
	long := strings.Repeat("A", 81)
	runAPICases(t, s, []apiCase{
		{"no routing", "CreateStateMachineAlias", `{"name":"a"}`, CodeValidation,
			"1 validation error detected: Value null at 'routingConfiguration' failed to satisfy constraint: Member must not be null"},
		{"empty routing", "CreateStateMachineAlias", aliasBody("a", ""), CodeValidation,
			"1 validation error detected: Value '[]' at 'routingConfiguration' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"too many routes", "CreateStateMachineAlias", aliasBody("a", "", route("1", 50), route("2", 30), route("3", 20)), CodeValidation,
			"1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn=" + v("1") + ", weight=50), " +
				"RoutingConfigurationListItem(stateMachineVersionArn=" + v("2") + ", weight=30), " +
				"RoutingConfigurationListItem(stateMachineVersionArn=" + v("3") + ", weight=20)]' at 'routingConfiguration' failed to satisfy constraint: Member must have length less than or equal to 2"},
		{"duplicate routes", "CreateStateMachineAlias", aliasBody("a", "", route("1", 50), route("1", 50)), CodeValidation,
			"Routing configuration must contain distinct state machine version ARNs. Received: [" + v("1") + ", " + v("1") + "]"},
		{"machine arn in routes", "CreateStateMachineAlias", `{"name":"a","routingConfiguration":[{"stateMachineVersionArn":"` + smARN + `","weight":70},` + route("2", 30) + `]}`, CodeValidation,
			"Routing configuration must contain state machine version ARNs. Received: [" + smARN + ", " + v("2") + "]"},
		{"missing version", "CreateStateMachineAlias", aliasBody("a", "", route("9", 100)), CodeValidation,
			"Routing configuration must contain state machine version ARNs. Received: [" + v("9") + "]"},
		{"versions of two machines", "CreateStateMachineAlias", `{"name":"a","routingConfiguration":[` + route("1", 50) +
			`,{"stateMachineVersionArn":"arn:aws:states:us-east-1:123456789012:stateMachine:other:1","weight":50}]}`, CodeValidation,
			"Routing configuration must contain state machine version ARNs of the same state machine. Received: [" + v("1") + ", arn:aws:states:us-east-1:123456789012:stateMachine:other:1]"},
		{"weight too large", "CreateStateMachineAlias", aliasBody("a", "", route("1", 101)), CodeValidation,
			"1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"weight negative", "CreateStateMachineAlias", aliasBody("a", "", route("1", 101), route("2", -1)), CodeValidation,
			"2 validation errors detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100; " +
				"Value '-1' at 'routingConfiguration.2.member.weight' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"weight missing", "CreateStateMachineAlias", `{"name":"a","routingConfiguration":[{"stateMachineVersionArn":"` + v("1") + `"}]}`, CodeValidation,
			"1 validation error detected: Value null at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must not be null"},
		{"weights under 100", "CreateStateMachineAlias", aliasBody("a", "", route("1", 70), route("2", 29)), CodeValidation,
			"Sum of routing configuration weights must equal 100. Received: [70, 29]"},
		{"weights over 100", "CreateStateMachineAlias", aliasBody("a", "", route("1", 70), route("2", 31)), CodeValidation,
			"Sum of routing configuration weights must equal 100. Received: [70, 31]"},
		{"numeric name", "CreateStateMachineAlias", aliasBody("123", "", route("1", 100)), CodeValidation,
			"1 validation error detected: Value '123' at 'name' failed to satisfy constraint: " + pattern},
		{"name with space", "CreateStateMachineAlias", aliasBody("INVALID ALIAS", "", route("1", 100)), CodeValidation,
			"1 validation error detected: Value 'INVALID ALIAS' at 'name' failed to satisfy constraint: " + pattern},
		{"name with at", "CreateStateMachineAlias", aliasBody("ALIAS@", "", route("1", 100)), CodeValidation,
			"1 validation error detected: Value 'ALIAS@' at 'name' failed to satisfy constraint: " + pattern},
		{"name too long", "CreateStateMachineAlias", aliasBody(long, "", route("1", 100)), CodeValidation,
			"1 validation error detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"name missing", "CreateStateMachineAlias", `{"routingConfiguration":[` + route("1", 100) + `]}`, CodeValidation,
			"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"describe missing alias", "DescribeStateMachineAlias", `{"stateMachineAliasArn":"` + smARN + `:gone"}`, CodeResourceNotFound,
			"Request references a resource that does not exist."},
		{"describe machine arn", "DescribeStateMachineAlias", `{"stateMachineAliasArn":"` + smARN + `"}`, CodeResourceNotFound,
			"Request references a resource that does not exist."},
		{"describe bad arn", "DescribeStateMachineAlias", `{"stateMachineAliasArn":"alias"}`, CodeInvalidArn,
			"Invalid Arn: 'Invalid ARN prefix: alias'"},
		{"update missing alias", "UpdateStateMachineAlias", `{"stateMachineAliasArn":"` + smARN + `:gone","description":"x"}`, CodeResourceNotFound,
			"Request references a resource that does not exist."},
		{"update nothing", "UpdateStateMachineAlias", `{"stateMachineAliasArn":"` + smARN + `:live"}`, CodeValidation,
			"Either the description or the routing configuration must be specified"},
		{"update bad weights", "UpdateStateMachineAlias", `{"stateMachineAliasArn":"` + smARN + `:live","routingConfiguration":[` + route("1", 10) + `]}`, CodeValidation,
			"Sum of routing configuration weights must equal 100. Received: [10]"},
		{"update to another machine", "UpdateStateMachineAlias", `{"stateMachineAliasArn":"` + smARN + `:live","routingConfiguration":[{"stateMachineVersionArn":"arn:aws:states:us-east-1:123456789012:stateMachine:other:1","weight":100}]}`, CodeValidation,
			"Routing configuration must contain state machine version ARNs of the same state machine as the alias. Received: [arn:aws:states:us-east-1:123456789012:stateMachine:other:1]"},
		{"delete without arn", "DeleteStateMachineAlias", `{}`, CodeValidation,
			"1 validation error detected: Value null at 'stateMachineAliasArn' failed to satisfy constraint: Member must not be null"},
		{"list unknown machine", "ListStateMachineAliases", `{"stateMachineArn":"` + smARN + `x"}`, CodeStateMachineDoesNotExist,
			"State Machine Does Not Exist: '" + smARN + "x'"},
		{"list missing version", "ListStateMachineAliases", `{"stateMachineArn":"` + smARN + `:9"}`, CodeResourceNotFound,
			"Request references a resource that does not exist."},
		{"list bad token", "ListStateMachineAliases", `{"stateMachineArn":"` + smARN + `","nextToken":"InvalidToken"}`, CodeInvalidToken,
			"Invalid Token: 'InvalidToken'"},
	})
}

func TestAliasLimit(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, `"publish":true`))
	for i := range maxAliases {
		mustInvoke(t, s, "CreateStateMachineAlias", aliasBody(fmt.Sprintf("a%d", i), "", route("1", 100)))
	}
	if _, err := invoke(t, s, "CreateStateMachineAlias", aliasBody("last", "", route("1", 100))); err == nil || err.Code != CodeServiceQuotaExceeded {
		t.Fatalf("alias %d: %v", maxAliases+1, err)
	}
}

func TestAliasWeightedExecutions(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	twoVersions(t, s)
	aliasARN := smARN + ":split"
	mustInvoke(t, s, "CreateStateMachineAlias", aliasBody("split", "", route("1", 50), route("2", 50)))
	const runs = 20
	ran := map[string]int{}
	for i := range runs {
		name := fmt.Sprintf("e%d", i)
		mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+aliasARN+`","name":"`+name+`"}`)
		d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+name+`"}`)
		version := d["stateMachineVersionArn"].(string)
		wantOutput := map[string]string{smARN + ":1": `"one"`, smARN + ":2": `"two"`}[version]
		if d["stateMachineAliasArn"] != aliasARN || d["stateMachineArn"] != smARN || d["output"] != wantOutput {
			t.Fatalf("DescribeExecution(%s) = %v", name, d)
		}
		h := mustInvoke(t, s, "GetExecutionHistory", `{"executionArn":"`+execPrefix+name+`"}`)
		started := h["events"].([]any)[0].(map[string]any)["executionStartedEventDetails"].(map[string]any)
		if started["stateMachineAliasArn"] != aliasARN || started["stateMachineVersionArn"] != version {
			t.Fatalf("ExecutionStarted of %s = %v", name, started)
		}
		ran[version]++
	}
	if ran[smARN+":1"] == 0 || ran[smARN+":2"] == 0 {
		t.Fatalf("a 50/50 alias ran only one version: %v", ran)
	}
	l := mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+aliasARN+`"}`)
	if n := len(l["executions"].([]any)); n != runs {
		t.Fatalf("ListExecutions(alias) listed %d, want %d", n, runs)
	}
	if it := l["executions"].([]any)[0].(map[string]any); it["stateMachineAliasArn"] != aliasARN {
		t.Fatalf("ListExecutions item = %v", it)
	}
	l = mustInvoke(t, s, "ListExecutions", `{"stateMachineArn":"`+smARN+`:2"}`)
	if n := len(l["executions"].([]any)); n != ran[smARN+":2"] {
		t.Fatalf("ListExecutions(version 2) listed %d, want %d", n, ran[smARN+":2"])
	}
}

func TestAliasSyncExecution(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", resultDef("express"), `"type":"EXPRESS","publish":true`))
	mustInvoke(t, s, "CreateStateMachineAlias", aliasBody("live", "", route("1", 100)))
	out := mustInvoke(t, s, "StartSyncExecution", `{"stateMachineArn":"`+smARN+`:live"}`)
	if out["status"] != "SUCCEEDED" || out["output"] != `"express"` || out["stateMachineArn"] != smARN {
		t.Fatalf("StartSyncExecution(alias) = %v", out)
	}
}
