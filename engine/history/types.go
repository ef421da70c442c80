package history

// Type is a history event type, as HistoryEventType names it.
type Type string

// The history event types of the Step Functions API.
const (
	ActivityFailed               Type = "ActivityFailed"
	ActivityScheduled            Type = "ActivityScheduled"
	ActivityScheduleFailed       Type = "ActivityScheduleFailed"
	ActivityStarted              Type = "ActivityStarted"
	ActivitySucceeded            Type = "ActivitySucceeded"
	ActivityTimedOut             Type = "ActivityTimedOut"
	ChoiceStateEntered           Type = "ChoiceStateEntered"
	ChoiceStateExited            Type = "ChoiceStateExited"
	ExecutionAborted             Type = "ExecutionAborted"
	ExecutionFailed              Type = "ExecutionFailed"
	ExecutionStarted             Type = "ExecutionStarted"
	ExecutionSucceeded           Type = "ExecutionSucceeded"
	ExecutionTimedOut            Type = "ExecutionTimedOut"
	ExecutionRedriven            Type = "ExecutionRedriven"
	FailStateEntered             Type = "FailStateEntered"
	LambdaFunctionFailed         Type = "LambdaFunctionFailed"
	LambdaFunctionScheduled      Type = "LambdaFunctionScheduled"
	LambdaFunctionScheduleFailed Type = "LambdaFunctionScheduleFailed"
	LambdaFunctionStarted        Type = "LambdaFunctionStarted"
	LambdaFunctionStartFailed    Type = "LambdaFunctionStartFailed"
	LambdaFunctionSucceeded      Type = "LambdaFunctionSucceeded"
	LambdaFunctionTimedOut       Type = "LambdaFunctionTimedOut"
	MapIterationAborted          Type = "MapIterationAborted"
	MapIterationFailed           Type = "MapIterationFailed"
	MapIterationStarted          Type = "MapIterationStarted"
	MapIterationSucceeded        Type = "MapIterationSucceeded"
	MapStateAborted              Type = "MapStateAborted"
	MapStateEntered              Type = "MapStateEntered"
	MapStateExited               Type = "MapStateExited"
	MapStateFailed               Type = "MapStateFailed"
	MapStateStarted              Type = "MapStateStarted"
	MapStateSucceeded            Type = "MapStateSucceeded"
	MapRunAborted                Type = "MapRunAborted"
	MapRunFailed                 Type = "MapRunFailed"
	MapRunStarted                Type = "MapRunStarted"
	MapRunSucceeded              Type = "MapRunSucceeded"
	MapRunRedriven               Type = "MapRunRedriven"
	ParallelStateAborted         Type = "ParallelStateAborted"
	ParallelStateEntered         Type = "ParallelStateEntered"
	ParallelStateExited          Type = "ParallelStateExited"
	ParallelStateFailed          Type = "ParallelStateFailed"
	ParallelStateStarted         Type = "ParallelStateStarted"
	ParallelStateSucceeded       Type = "ParallelStateSucceeded"
	PassStateEntered             Type = "PassStateEntered"
	PassStateExited              Type = "PassStateExited"
	SucceedStateEntered          Type = "SucceedStateEntered"
	SucceedStateExited           Type = "SucceedStateExited"
	TaskFailed                   Type = "TaskFailed"
	TaskScheduled                Type = "TaskScheduled"
	TaskStarted                  Type = "TaskStarted"
	TaskStartFailed              Type = "TaskStartFailed"
	TaskStateAborted             Type = "TaskStateAborted"
	TaskStateEntered             Type = "TaskStateEntered"
	TaskStateExited              Type = "TaskStateExited"
	TaskSubmitFailed             Type = "TaskSubmitFailed"
	TaskSubmitted                Type = "TaskSubmitted"
	TaskSucceeded                Type = "TaskSucceeded"
	TaskTimedOut                 Type = "TaskTimedOut"
	WaitStateAborted             Type = "WaitStateAborted"
	WaitStateEntered             Type = "WaitStateEntered"
	WaitStateExited              Type = "WaitStateExited"
	EvaluationFailed             Type = "EvaluationFailed"
)

// detailsKind says which details struct and JSON key a type has.
type detailsKind struct {
	key  string
	make func() any
}

func stateEntered() any { return &StateEnteredDetails{} }
func stateExited() any  { return &StateExitedDetails{} }
func failure() any      { return &FailureDetails{} }
func output() any       { return &OutputDetails{} }
func task() any         { return &TaskDetails{} }
func mapIteration() any { return &MapIterationDetails{} }

var kinds = map[Type]detailsKind{
	ActivityFailed:               {"activityFailedEventDetails", failure},
	ActivityScheduled:            {"activityScheduledEventDetails", func() any { return &ActivityScheduledDetails{} }},
	ActivityScheduleFailed:       {"activityScheduleFailedEventDetails", failure},
	ActivityStarted:              {"activityStartedEventDetails", func() any { return &ActivityStartedDetails{} }},
	ActivitySucceeded:            {"activitySucceededEventDetails", output},
	ActivityTimedOut:             {"activityTimedOutEventDetails", failure},
	ChoiceStateEntered:           {"stateEnteredEventDetails", stateEntered},
	ChoiceStateExited:            {"stateExitedEventDetails", stateExited},
	ExecutionAborted:             {"executionAbortedEventDetails", failure},
	ExecutionFailed:              {"executionFailedEventDetails", failure},
	ExecutionStarted:             {"executionStartedEventDetails", func() any { return &ExecutionStartedDetails{} }},
	ExecutionSucceeded:           {"executionSucceededEventDetails", output},
	ExecutionTimedOut:            {"executionTimedOutEventDetails", failure},
	ExecutionRedriven:            {"executionRedrivenEventDetails", func() any { return &RedrivenDetails{} }},
	FailStateEntered:             {"stateEnteredEventDetails", stateEntered},
	LambdaFunctionFailed:         {"lambdaFunctionFailedEventDetails", failure},
	LambdaFunctionScheduled:      {"lambdaFunctionScheduledEventDetails", func() any { return &LambdaFunctionScheduledDetails{} }},
	LambdaFunctionScheduleFailed: {"lambdaFunctionScheduleFailedEventDetails", failure},
	LambdaFunctionStartFailed:    {"lambdaFunctionStartFailedEventDetails", failure},
	LambdaFunctionSucceeded:      {"lambdaFunctionSucceededEventDetails", output},
	LambdaFunctionTimedOut:       {"lambdaFunctionTimedOutEventDetails", failure},
	MapIterationAborted:          {"mapIterationAbortedEventDetails", mapIteration},
	MapIterationFailed:           {"mapIterationFailedEventDetails", mapIteration},
	MapIterationStarted:          {"mapIterationStartedEventDetails", mapIteration},
	MapIterationSucceeded:        {"mapIterationSucceededEventDetails", mapIteration},
	MapStateEntered:              {"stateEnteredEventDetails", stateEntered},
	MapStateExited:               {"stateExitedEventDetails", stateExited},
	MapStateStarted:              {"mapStateStartedEventDetails", func() any { return &MapStateStartedDetails{} }},
	MapRunFailed:                 {"mapRunFailedEventDetails", failure},
	MapRunStarted:                {"mapRunStartedEventDetails", func() any { return &MapRunStartedDetails{} }},
	MapRunRedriven:               {"mapRunRedrivenEventDetails", func() any { return &RedrivenDetails{} }},
	ParallelStateEntered:         {"stateEnteredEventDetails", stateEntered},
	ParallelStateExited:          {"stateExitedEventDetails", stateExited},
	PassStateEntered:             {"stateEnteredEventDetails", stateEntered},
	PassStateExited:              {"stateExitedEventDetails", stateExited},
	SucceedStateEntered:          {"stateEnteredEventDetails", stateEntered},
	SucceedStateExited:           {"stateExitedEventDetails", stateExited},
	TaskFailed:                   {"taskFailedEventDetails", task},
	TaskScheduled:                {"taskScheduledEventDetails", func() any { return &TaskScheduledDetails{} }},
	TaskStarted:                  {"taskStartedEventDetails", task},
	TaskStartFailed:              {"taskStartFailedEventDetails", task},
	TaskStateEntered:             {"stateEnteredEventDetails", stateEntered},
	TaskStateExited:              {"stateExitedEventDetails", stateExited},
	TaskSubmitFailed:             {"taskSubmitFailedEventDetails", task},
	TaskSubmitted:                {"taskSubmittedEventDetails", task},
	TaskSucceeded:                {"taskSucceededEventDetails", task},
	TaskTimedOut:                 {"taskTimedOutEventDetails", task},
	WaitStateEntered:             {"stateEnteredEventDetails", stateEntered},
	WaitStateExited:              {"stateExitedEventDetails", stateExited},
	EvaluationFailed:             {"evaluationFailedEventDetails", func() any { return &EvaluationFailedDetails{} }},
}

// DetailsKey returns the JSON key of t's details object
// ("stateEnteredEventDetails" for PassStateEntered), or "" when events of
// type t carry no details (ParallelStateStarted, MapStateSucceeded, ...).
func DetailsKey(t Type) string { return kinds[t].key }

func newDetails(t Type) any { return kinds[t].make() }

// Known reports whether t is a history event type of the API.
func Known(t Type) bool {
	if _, ok := kinds[t]; ok {
		return true
	}
	switch t {
	case LambdaFunctionStarted, MapStateAborted, MapStateFailed, MapStateSucceeded, MapRunAborted,
		MapRunSucceeded, ParallelStateAborted, ParallelStateFailed, ParallelStateStarted,
		ParallelStateSucceeded, TaskStateAborted, WaitStateAborted:
		return true
	}
	return false
}
