package sfn

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// BenchmarkStartDescribe is the server benchmark's pair
// (scripts/bench-server.sh) without the transport: StartExecution of a
// one-Pass-state machine with random ids and the wall clock, as
// `stepwise serve` runs it, then DescribeExecution of that execution.
// Every execution is kept, as the server keeps them.
func BenchmarkStartDescribe(b *testing.B) {
	ctx := context.Background()
	s := New(Options{Store: mem.New(), Clock: WallClock()})
	out, err := s.Invoke(ctx, "CreateStateMachine", []byte(`{"name":"bench","roleArn":"arn:aws:iam::123456789012:role/r",`+
		`"definition":"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"Result\":{\"ok\":true},\"ResultPath\":\"$.r\",\"End\":true}}}"}`))
	if err != nil {
		b.Fatal(err)
	}
	machine := out[bytes.Index(out, []byte(`arn:`)):bytes.LastIndexByte(out, '"')]
	machine = machine[:bytes.IndexByte(machine, '"')]
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		start := []byte(`{"stateMachineArn":"` + string(machine) + `","name":"e` + strconv.Itoa(n) + `","input":"{\"n\":1}"}`)
		out, err := s.Invoke(ctx, "StartExecution", start)
		if err != nil {
			b.Fatal(err)
		}
		rest := out[len(`{"executionArn":"`):]
		arn := rest[:bytes.IndexByte(rest, '"')]
		out, err = s.Invoke(ctx, "DescribeExecution", []byte(`{"executionArn":"`+string(arn)+`"}`))
		if err != nil {
			b.Fatal(err)
		}
		if !bytes.Contains(out, []byte(`"status":"SUCCEEDED"`)) {
			b.Fatalf("not SUCCEEDED: %s", out)
		}
	}
}
