package sfn

import (
	"fmt"
	"testing"
)

// loopDef counts $.i up to n through a Choice and a Pass: 2 events per
// state, so about 4n history events in all.
func loopDef(n int) string {
	return fmt.Sprintf(`{"StartAt":"C","States":{
"C":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericLessThan":%d,"Next":"I"}],"Default":"D"},
"I":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)"},"Next":"C"},
"D":{"Type":"Succeed"}}}`, n)
}

// TestMaxHistoryEvents checks that Options.MaxHistoryEvents sets the
// history limit of STANDARD executions: 0 keeps AWS's 25,000, a positive
// value replaces it and a negative one lifts it.
func TestMaxHistoryEvents(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		loops  int
		status string
		cause  string
	}{
		{"default limit reached", 0, 7000, "FAILED", "The execution reached the maximum number of history events (25000)."},
		{"default limit not reached", 0, 6000, "SUCCEEDED", ""},
		{"custom limit", 100, 100, "FAILED", "The execution reached the maximum number of history events (100)."},
		{"no limit", -1, 7000, "SUCCEEDED", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestService(Options{Virtual: true, MaxHistoryEvents: tt.max})
			mustInvoke(t, s, "CreateStateMachine", createBody("sm", loopDef(tt.loops), ""))
			mustInvoke(t, s, "StartExecution", `{"stateMachineArn":"`+smARN+`","name":"e","input":"{\"i\":0}"}`)
			d := mustInvoke(t, s, "DescribeExecution", `{"executionArn":"`+execPrefix+`e"}`)
			if d["status"] != tt.status {
				t.Fatalf("status = %v, want %s (%v)", d["status"], tt.status, d["cause"])
			}
			if tt.status == "FAILED" {
				if d["error"] != "States.Runtime" || d["cause"] != tt.cause {
					t.Fatalf("error %v, cause %v; want States.Runtime, %q", d["error"], d["cause"], tt.cause)
				}
				return
			}
			if want := fmt.Sprintf(`{"i":%d}`, tt.loops); d["output"] != want {
				t.Fatalf("output = %v, want %s", d["output"], want)
			}
		})
	}
}
