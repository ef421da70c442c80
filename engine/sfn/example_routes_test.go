package sfn_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// A Go program serves a Lambda task with a Go function, named by a route
// of a routing file that also fails every DynamoDB task.
func ExampleService_HandleTask() {
	ctx := context.Background()
	svc := sfn.New(sfn.Options{Store: mem.New(), Virtual: true})
	svc.HandleTask("price", func(ctx context.Context, t sfn.HostTask) (json.RawMessage, error) {
		var in struct{ Qty int }
		if err := json.Unmarshal(t.Input, &in); err != nil {
			return nil, &sfn.TaskError{Name: "Price.BadInput", Cause: err.Error()}
		}
		return json.Marshal(map[string]int{"total": in.Qty * 7})
	})
	err := svc.SetMockConfig([]byte(`{"Routes": [
		{"State": "Price", "Handler": "price"},
		{"Resource": "arn:aws:states:::dynamodb:*", "Fail": {"Error": "NotRouted", "Cause": "no DynamoDB here"}}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	def := `{"StartAt": "Price", "States": {
		"Price": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:price", "ResultPath": "$.price", "Next": "Store"},
		"Store": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
		          "Catch": [{"ErrorEquals": ["NotRouted"], "ResultPath": "$.error", "Next": "Done"}], "Next": "Done"},
		"Done": {"Type": "Succeed"}}}`
	req, _ := json.Marshal(map[string]string{"name": "orders", "definition": def, "roleArn": "arn:aws:iam::123456789012:role/r"})
	out, _ := svc.Invoke(ctx, "CreateStateMachine", req)
	var m struct{ StateMachineArn string }
	json.Unmarshal(out, &m)
	out, _ = svc.Invoke(ctx, "StartExecution", []byte(`{"stateMachineArn": "`+m.StateMachineArn+`", "input": "{\"qty\": 3}"}`))
	var e struct{ ExecutionArn string }
	json.Unmarshal(out, &e)
	// The Go function runs in its own goroutine: wait for it.
	svc.WaitHostTasks(ctx)
	out, _ = svc.Invoke(ctx, "DescribeExecution", []byte(`{"executionArn": "`+e.ExecutionArn+`"}`))
	var d struct{ Status, Output string }
	json.Unmarshal(out, &d)
	fmt.Println(d.Status, d.Output)
	// Output:
	// SUCCEEDED {"qty":3,"price":{"total":21},"error":{"Error":"NotRouted","Cause":"no DynamoDB here"}}
}
