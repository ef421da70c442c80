package sfn

import (
	"encoding/json"
	"reflect"
	"testing"
)

var decodeCases = []string{
	`{}`, ` { } `, `{"stateMachineArn":"arn:a","name":"n","input":"{\"a\":[1,\"x\\\\y\"]}"}`,
	`{"input":"a\nb\tc\/d\"e"}`, `{"input":"\u00e9"}`, `{"Input":"case folded"}`, `{"name":null}`,
	`{"name":1}`, `{"other":"x"}`, `{"name":"a","name":"b"}`, "{\"name\":\"\xff\"}", `[]`, `"x"`,
	`{"name":"a",}`, `{"traceHeader":"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}`, `{"name":"é"}`,
}

func TestDecodeStringsMatchesUnmarshal(t *testing.T) {
	fast := 0
	for _, s := range decodeCases {
		if checkDecodeStrings(t, []byte(s)) {
			fast++
		}
	}
	if fast < 6 {
		t.Fatalf("the fast path took only %d of the cases", fast)
	}
	// Not every request type is all strings: those always decline.
	var h GetExecutionHistoryInput
	if decodeStrings([]byte(`{"executionArn":"a"}`), &h) {
		t.Fatal("decodeStrings took a request with non-string fields")
	}
}

// checkDecodeStrings compares decodeStrings with json.Unmarshal on body
// and reports whether the fast path took it.
func checkDecodeStrings(t *testing.T, body []byte) bool {
	t.Helper()
	var got StartExecutionInput
	if !decodeStrings(body, &got) {
		if got != (StartExecutionInput{}) {
			t.Fatalf("decodeStrings(%q) declined but set %+v", body, got)
		}
		return false
	}
	var want StartExecutionInput
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatalf("decodeStrings(%q) took a body json.Unmarshal rejects: %v", body, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeStrings(%q) = %s, json.Unmarshal gives %s", body, show(got), show(want))
	}
	return true
}

func show(in StartExecutionInput) string {
	b, _ := json.Marshal(in)
	return string(b)
}

func FuzzDecodeStrings(f *testing.F) {
	for _, s := range decodeCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodeStrings(t, body)
	})
}
