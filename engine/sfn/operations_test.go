package sfn

import (
	"context"
	"errors"
	"testing"
)

// awsOperations are the 37 operations of the AWS Step Functions API model
// (service sfn, 2016-11-23).
var awsOperations = []string{
	"CreateActivity", "CreateStateMachine", "CreateStateMachineAlias",
	"DeleteActivity", "DeleteStateMachine", "DeleteStateMachineAlias", "DeleteStateMachineVersion",
	"DescribeActivity", "DescribeExecution", "DescribeMapRun", "DescribeStateMachine",
	"DescribeStateMachineAlias", "DescribeStateMachineForExecution",
	"GetActivityTask", "GetExecutionHistory",
	"ListActivities", "ListExecutions", "ListMapRuns", "ListStateMachineAliases",
	"ListStateMachineVersions", "ListStateMachines", "ListTagsForResource",
	"PublishStateMachineVersion", "RedriveExecution",
	"SendTaskFailure", "SendTaskHeartbeat", "SendTaskSuccess",
	"StartExecution", "StartSyncExecution", "StopExecution",
	"TagResource", "TestState", "UntagResource",
	"UpdateMapRun", "UpdateStateMachine", "UpdateStateMachineAlias",
	"ValidateStateMachineDefinition",
}

// Every operation an AWS client knows is served: an empty request is
// refused by the operation itself (ValidationException for its missing
// required members), never as an unknown operation or a crash.
func TestEveryAWSOperationAnswers(t *testing.T) {
	if len(awsOperations) != 37 {
		t.Fatalf("%d operations listed, the model has 37", len(awsOperations))
	}
	s := newTestService(Options{})
	for _, op := range awsOperations {
		_, err := s.Invoke(context.Background(), op, []byte(`{}`))
		var apiErr *Error
		if err != nil && !errors.As(err, &apiErr) {
			t.Errorf("%s: %v is not an *Error", op, err)
			continue
		}
		if apiErr != nil && (apiErr.Code == CodeUnknownOperation || apiErr.Code == CodeInternalFailure) {
			t.Errorf("%s: %s: %s", op, apiErr.Code, apiErr.Message)
		}
	}
}
