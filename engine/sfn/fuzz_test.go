package sfn

import (
	"context"
	"errors"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// FuzzInvoke feeds arbitrary request bodies to every operation: the
// service must answer with a response or an *Error, never panic (Invoke
// would turn a panic into InternalFailure, which the fuzz body rejects).
func FuzzInvoke(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{`, `null`, `[]`, `{"stateMachineArn":"` + smARN + `"}`,
		`{"stateMachineArn":"` + smARN + `","input":"{\"a\":1}","name":"x"}`,
		`{"executionArn":"` + execPrefix + `x","maxResults":1,"reverseOrder":true}`,
		`{"name":"n","definition":"{}","roleArn":"arn:aws:iam::1:role/r","loggingConfiguration":{"level":"ALL"}}`,
	} {
		f.Add(seed)
	}
	ops := make([]string, 0, len(operations))
	for op := range operations {
		ops = append(ops, op)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 4096 {
			return
		}
		s := New(Options{Store: mem.New(), Virtual: true, IDs: &counterIDs{}})
		ctx := context.Background()
		if _, err := s.Invoke(ctx, "CreateStateMachine", []byte(createBody("sm", passDef, ""))); err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			_, err := s.Invoke(ctx, op, []byte(body))
			var apiErr *Error
			if err != nil && (!errors.As(err, &apiErr) || apiErr.Code == CodeInternalFailure) {
				t.Fatalf("%s %q: %v", op, body, err)
			}
		}
	})
}
