package interp_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/interp"
)

// compileBench parses and compiles a definition once, outside the timed
// loop, so a benchmark measures execution alone.
func compileBench(b *testing.B, definition string) *interp.Program {
	b.Helper()
	if d := asl.Validate(definition, asl.Options{}); len(d) > 0 {
		b.Fatalf("invalid definition: %+v", d)
	}
	def, err := asl.Parse([]byte(definition))
	if err != nil {
		b.Fatal(err)
	}
	prog, err := interp.Compile(def)
	if err != nil {
		b.Fatal(err)
	}
	return prog
}

// runBench runs prog to the end on a virtual clock (no Wait or Task states
// in these definitions) and checks it succeeded with the wanted output.
func runBench(b *testing.B, prog *interp.Program, input, want string) {
	clock := interp.NewVirtualClock(epoch)
	env := &interp.Env{Clock: clock, IDs: &counterIDs{}}
	r := prog.Start(context.Background(), env, interp.Execution{
		ExecutionARN:     "arn:aws:states:us-east-1:123456789012:execution:M:e",
		StateMachineARN:  "arn:aws:states:us-east-1:123456789012:stateMachine:M",
		StateMachineName: "M", Name: "e", Type: "STANDARD", Input: []byte(input),
		Region: "us-east-1", AccountID: "123456789012",
	})
	if st := r.Drive(context.Background()); st != interp.Succeeded {
		b.Fatalf("status %v, events %v", st, r.Events())
	}
	if want != "" && string(r.Output()) != want {
		b.Fatalf("output %s, want %s", r.Output(), want)
	}
}

// BenchmarkPassTransition is the cost of one Pass state with Parameters
// (two JSONPath lookups) and a ResultPath: a chain of 100 such states,
// reported per transition (ns/op and allocs/op are per state).
func BenchmarkPassTransition(b *testing.B) {
	const n = 100
	var sb strings.Builder
	sb.WriteString(`{"StartAt":"P0","States":{`)
	for i := range n {
		next := fmt.Sprintf(`"Next":"P%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		fmt.Fprintf(&sb, `"P%d":{"Type":"Pass","Parameters":{"step":%d,"prev.$":"$.last.step","name.$":"$.name"},"ResultPath":"$.last",%s}`, i, i, next)
		if i < n-1 {
			sb.WriteByte(',')
		}
	}
	sb.WriteString(`}}`)
	prog := compileBench(b, sb.String())
	input := `{"name":"bench","last":{"step":-1}}`
	want := fmt.Sprintf(`{"name":"bench","last":{"step":%d,"prev":%d,"name":"bench"}}`, n-1, n-2)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		runBench(b, prog, input, want)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/transition")
}

// BenchmarkIntrinsic is one Pass state evaluating a States.Format call in
// its Parameters.
func BenchmarkIntrinsic(b *testing.B) {
	prog := compileBench(b, `{"StartAt":"F","States":{"F":{"Type":"Pass",
		"Parameters":{"greeting.$":"States.Format('Hello, {} from {}: {}', $.name, $.place, $.n)"},"End":true}}}`)
	b.ReportAllocs()
	for b.Loop() {
		runBench(b, prog, `{"name":"Ada","place":"London","n":42.5}`, `{"greeting":"Hello, Ada from London: 42.5"}`)
	}
}

// BenchmarkMap1000 is an inline Map over 1,000 items with an ItemSelector
// using the Map context and a Pass iterator with Parameters (the shape of
// the map-10k workloads, a tenth of the size).
func BenchmarkMap1000(b *testing.B) {
	prog := compileBench(b, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
		"ItemSelector":{"index.$":"$$.Map.Item.Index","value.$":"$$.Map.Item.Value"},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{
			"P":{"Type":"Pass","Parameters":{"i.$":"$.index","v.$":"$.value"},"End":true}}},
		"End":true}}}`)
	items := make([]string, 1000)
	for i := range items {
		items[i] = fmt.Sprint(i * 3)
	}
	input := `{"items":[` + strings.Join(items, ",") + `]}`
	b.ReportAllocs()
	for b.Loop() {
		runBench(b, prog, input, "")
	}
}
