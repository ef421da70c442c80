package sfn

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestStepwiseLayout(t *testing.T) {
	s := newTestService(Options{})
	def := `{"StartAt":"Check","States":{
		"Check":{"Type":"Choice","Choices":[{"Variable":"$.total","NumericGreaterThan":100,"Next":"Ship"}],"Default":"Done"},
		"Ship":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ship","Next":"Done"},
		"Done":{"Type":"Succeed"}}}`
	body, _ := json.Marshal(map[string]string{"definition": def})
	out := mustInvoke(t, s, "StepwiseLayout", string(body))
	l, ok := out["layout"].(map[string]any)
	if !ok {
		t.Fatalf("no layout in %v", out)
	}
	if _, ok := out["svg"]; ok {
		t.Error("json format answered an svg too")
	}
	if l["width"].(float64) <= 0 || l["height"].(float64) <= 0 {
		t.Errorf("empty layout size %v x %v", l["width"], l["height"])
	}
	ids := map[string]map[string]any{}
	for _, n := range l["nodes"].([]any) {
		n := n.(map[string]any)
		ids[n["id"].(string)] = n
	}
	for _, id := range []string{"start", "end", "Check", "Ship", "Done"} {
		if ids[id] == nil {
			t.Errorf("no node %q", id)
		}
	}
	if got := ids["Ship"]["resource"]; got != "arn:aws:lambda:us-east-1:123456789012:function:ship" {
		t.Errorf("Ship resource %v", got)
	}
	if from, to := int(ids["Ship"]["from"].(float64)), int(ids["Ship"]["to"].(float64)); !strings.HasPrefix(def[from:to], `"Ship":{`) || def[to-1] != '}' {
		t.Errorf("Ship offsets select %q", def[from:to])
	}
	var choice map[string]any
	for _, e := range l["edges"].([]any) {
		if e := e.(map[string]any); e["kind"] == "choice" {
			choice = e
		}
	}
	if choice == nil || choice["label"] != "$.total > 100" || choice["from"] != "Check" || choice["to"] != "Ship" {
		t.Errorf("choice edge %v", choice)
	}

	body, _ = json.Marshal(map[string]string{"definition": def, "format": "svg", "theme": "dark"})
	out = mustInvoke(t, s, "StepwiseLayout", string(body))
	svg, _ := out["svg"].(string)
	if !strings.HasPrefix(svg, "<svg ") || !strings.Contains(svg, `data-state="Ship"`) || !strings.Contains(svg, "#14181e") {
		t.Errorf("svg format answered %.200q", svg)
	}
	if _, ok := out["layout"]; ok {
		t.Error("svg format answered a layout too")
	}
}

func TestStepwiseLayoutSemanticErrors(t *testing.T) {
	// Parses, but Next names a missing state: it still lays out, without
	// the dangling edge.
	s := newTestService(Options{})
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Gone"}}}`
	body, _ := json.Marshal(map[string]string{"definition": def})
	out := mustInvoke(t, s, "StepwiseLayout", string(body))
	for _, e := range out["layout"].(map[string]any)["edges"].([]any) {
		if e.(map[string]any)["to"] == "Gone" {
			t.Error("dangling edge kept")
		}
	}
}

func TestStepwiseLayoutErrors(t *testing.T) {
	s := newTestService(Options{})
	for _, c := range []struct {
		name, body, code, message string
	}{
		{"no definition", `{}`, CodeValidation,
			"1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null"},
		{"bad format", `{"definition":"{}","format":"png"}`, CodeValidation,
			"1 validation error detected: Value 'png' at 'format' failed to satisfy constraint: Member must satisfy enum value set: [json, svg]"},
		{"bad theme", `{"definition":"{}","theme":"blue"}`, CodeValidation,
			"1 validation error detected: Value 'blue' at 'theme' failed to satisfy constraint: Member must satisfy enum value set: [light, dark]"},
		{"not JSON", `{"definition":"{"}`, CodeInvalidDefinition, ""},
		{"missing StartAt target", `{"definition":"{\"StartAt\":\"X\",\"States\":{}}"}`, CodeInvalidDefinition, ""},
		{"wrong member type", `{"definition":5}`, CodeSerialization, "Unexpected value type for member 'definition'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := invoke(t, s, "StepwiseLayout", c.body)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Code != c.code || (c.message != "" && err.Message != c.message) {
				t.Errorf("got %s: %s, want %s: %s", err.Code, err.Message, c.code, c.message)
			}
			if c.code == CodeInvalidDefinition && !strings.HasPrefix(err.Message, "Invalid State Machine Definition: '") {
				t.Errorf("message %q is not CreateStateMachine's", err.Message)
			}
		})
	}
}

// The message for a definition Parse rejects is CreateStateMachine's.
func TestStepwiseLayoutSameMessageAsCreate(t *testing.T) {
	s := newTestService(Options{})
	def := `{"StartAt":"X","States":{}}`
	body, _ := json.Marshal(map[string]string{"definition": def})
	_, lerr := invoke(t, s, "StepwiseLayout", string(body))
	_, cerr := invoke(t, s, "CreateStateMachine", createBody("x", def, ""))
	if lerr == nil || cerr == nil || *lerr != *cerr {
		t.Errorf("StepwiseLayout %v, CreateStateMachine %v", lerr, cerr)
	}
}
