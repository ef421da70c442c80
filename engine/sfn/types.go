package sfn

import (
	"encoding/json"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/history"
)

// Timestamp is a time on the wire: epoch seconds with millisecond
// fractions, as the AWS JSON 1.0 protocol writes timestamps. The zero
// Timestamp is omitted from responses (omitzero).
type Timestamp time.Time

// MarshalJSON writes epoch seconds.
func (t Timestamp) MarshalJSON() ([]byte, error) { return history.AppendEpoch(nil, time.Time(t)), nil }

// IsZero reports whether t is the zero time.
func (t Timestamp) IsZero() bool { return time.Time(t).IsZero() }

// CloudWatchLogsLogGroup names a log group destination.
type CloudWatchLogsLogGroup struct {
	LogGroupARN string `json:"logGroupArn,omitempty"`
}

// LogDestination is one logging destination.
type LogDestination struct {
	CloudWatchLogsLogGroup *CloudWatchLogsLogGroup `json:"cloudWatchLogsLogGroup,omitempty"`
}

// LoggingConfiguration is a state machine's CloudWatch Logs settings.
type LoggingConfiguration struct {
	Level                string           `json:"level,omitempty"`
	IncludeExecutionData bool             `json:"includeExecutionData"`
	Destinations         []LogDestination `json:"destinations,omitempty"`
}

// loggingOut is LoggingConfiguration as responses write it: destinations
// echoed when they were given, even empty.
type loggingOut struct {
	Destinations         *[]LogDestination `json:"destinations,omitempty"`
	IncludeExecutionData bool              `json:"includeExecutionData"`
	Level                string            `json:"level"`
}

// TracingConfiguration is a state machine's X-Ray setting.
type TracingConfiguration struct {
	Enabled bool `json:"enabled"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// CreateStateMachineInput is the CreateStateMachine request.
type CreateStateMachineInput struct {
	Name                 *string               `json:"name"`
	Definition           *string               `json:"definition"`
	RoleARN              *string               `json:"roleArn"`
	Type                 string                `json:"type"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration"`
	TracingConfiguration *TracingConfiguration `json:"tracingConfiguration"`
	Tags                 []Tag                 `json:"tags"`
	Publish              bool                  `json:"publish"`
	VersionDescription   string                `json:"versionDescription"`
}

// CreateStateMachineOutput is the CreateStateMachine response.
type CreateStateMachineOutput struct {
	StateMachineARN        string    `json:"stateMachineArn"`
	CreationDate           Timestamp `json:"creationDate"`
	StateMachineVersionARN string    `json:"stateMachineVersionArn,omitempty"`
}

// DescribeStateMachineInput is the DescribeStateMachine request.
type DescribeStateMachineInput struct {
	StateMachineARN *string `json:"stateMachineArn"`
}

// DescribeStateMachineOutput is the DescribeStateMachine response.
type DescribeStateMachineOutput struct {
	StateMachineARN      string               `json:"stateMachineArn"`
	Name                 string               `json:"name"`
	Status               string               `json:"status"`
	Definition           string               `json:"definition"`
	RoleARN              string               `json:"roleArn"`
	Type                 string               `json:"type"`
	CreationDate         Timestamp            `json:"creationDate"`
	LoggingConfiguration loggingOut           `json:"loggingConfiguration"`
	TracingConfiguration TracingConfiguration `json:"tracingConfiguration"`
	RevisionID           string               `json:"revisionId,omitempty"`
	Label                string               `json:"label,omitempty"`
	Description          string               `json:"description,omitempty"`
	// VariableReferences maps each state that reads workflow variables to
	// their names (asl.VariableReferences); absent when none does.
	VariableReferences map[string][]string `json:"variableReferences,omitempty"`
}

// UpdateStateMachineInput is the UpdateStateMachine request.
type UpdateStateMachineInput struct {
	StateMachineARN      *string               `json:"stateMachineArn"`
	Definition           *string               `json:"definition"`
	RoleARN              *string               `json:"roleArn"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration"`
	TracingConfiguration *TracingConfiguration `json:"tracingConfiguration"`
	Publish              bool                  `json:"publish"`
	VersionDescription   string                `json:"versionDescription"`
}

// UpdateStateMachineOutput is the UpdateStateMachine response.
type UpdateStateMachineOutput struct {
	UpdateDate             Timestamp `json:"updateDate"`
	RevisionID             string    `json:"revisionId,omitempty"`
	StateMachineVersionARN string    `json:"stateMachineVersionArn,omitempty"`
}

// DeleteStateMachineInput is the DeleteStateMachine request.
type DeleteStateMachineInput struct {
	StateMachineARN *string `json:"stateMachineArn"`
}

// ListStateMachinesInput is the ListStateMachines request.
type ListStateMachinesInput struct {
	MaxResults int     `json:"maxResults"`
	NextToken  *string `json:"nextToken"`
}

// StateMachineListItem is one entry of ListStateMachines.
type StateMachineListItem struct {
	StateMachineARN string    `json:"stateMachineArn"`
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	CreationDate    Timestamp `json:"creationDate"`
}

// ListStateMachinesOutput is the ListStateMachines response.
type ListStateMachinesOutput struct {
	StateMachines []StateMachineListItem `json:"stateMachines"`
	NextToken     string                 `json:"nextToken,omitempty"`
}

// StartExecutionInput is the StartExecution and StartSyncExecution request.
type StartExecutionInput struct {
	StateMachineARN *string `json:"stateMachineArn"`
	Name            *string `json:"name"`
	Input           *string `json:"input"`
	TraceHeader     *string `json:"traceHeader"`
}

// StartExecutionOutput is the StartExecution response.
type StartExecutionOutput struct {
	ExecutionARN string    `json:"executionArn"`
	StartDate    Timestamp `json:"startDate"`
}

// CloudWatchEventsExecutionDataDetails says whether input or output is
// included in a response.
type CloudWatchEventsExecutionDataDetails struct {
	Included bool `json:"included"`
}

// BillingDetails is what an express execution would be billed for.
type BillingDetails struct {
	BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
	BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
}

// StartSyncExecutionOutput is the StartSyncExecution response.
type StartSyncExecutionOutput struct {
	ExecutionARN    string                                `json:"executionArn"`
	StateMachineARN string                                `json:"stateMachineArn,omitempty"`
	Name            string                                `json:"name,omitempty"`
	StartDate       Timestamp                             `json:"startDate"`
	StopDate        Timestamp                             `json:"stopDate"`
	Status          string                                `json:"status"`
	Error           string                                `json:"error,omitempty"`
	Cause           string                                `json:"cause,omitempty"`
	Input           *string                               `json:"input,omitempty"`
	InputDetails    *CloudWatchEventsExecutionDataDetails `json:"inputDetails,omitempty"`
	Output          *string                               `json:"output,omitempty"`
	OutputDetails   *CloudWatchEventsExecutionDataDetails `json:"outputDetails,omitempty"`
	TraceHeader     string                                `json:"traceHeader,omitempty"`
	BillingDetails  *BillingDetails                       `json:"billingDetails,omitempty"`
}

// StopExecutionInput is the StopExecution request.
type StopExecutionInput struct {
	ExecutionARN *string `json:"executionArn"`
	Error        *string `json:"error"`
	Cause        *string `json:"cause"`
}

// StopExecutionOutput is the StopExecution response.
type StopExecutionOutput struct {
	StopDate Timestamp `json:"stopDate"`
}

// DescribeExecutionInput is the DescribeExecution request.
type DescribeExecutionInput struct {
	ExecutionARN *string `json:"executionArn"`
}

// DescribeExecutionOutput is the DescribeExecution response.
type DescribeExecutionOutput struct {
	ExecutionARN        string                                `json:"executionArn"`
	StateMachineARN     string                                `json:"stateMachineArn"`
	Name                string                                `json:"name"`
	Status              string                                `json:"status"`
	StartDate           Timestamp                             `json:"startDate"`
	StopDate            Timestamp                             `json:"stopDate,omitzero"`
	Input               *string                               `json:"input,omitempty"`
	InputDetails        *CloudWatchEventsExecutionDataDetails `json:"inputDetails,omitempty"`
	Output              *string                               `json:"output,omitempty"`
	OutputDetails       *CloudWatchEventsExecutionDataDetails `json:"outputDetails,omitempty"`
	Error               string                                `json:"error,omitempty"`
	Cause               string                                `json:"cause,omitempty"`
	TraceHeader         string                                `json:"traceHeader,omitempty"`
	RedriveCount        int                                   `json:"redriveCount"`
	RedriveStatus       string                                `json:"redriveStatus,omitempty"`
	RedriveStatusReason string                                `json:"redriveStatusReason,omitempty"`
	// StateMachineVersionARN and StateMachineAliasARN name the version the
	// execution ran and the alias it was started through, if any.
	StateMachineVersionARN string    `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasARN   string    `json:"stateMachineAliasArn,omitempty"`
	RedriveDate            Timestamp `json:"redriveDate,omitzero"`
}

// DescribeStateMachineForExecutionInput is the
// DescribeStateMachineForExecution request.
type DescribeStateMachineForExecutionInput struct {
	ExecutionARN *string `json:"executionArn"`
}

// DescribeStateMachineForExecutionOutput is the
// DescribeStateMachineForExecution response: the state machine as the
// execution runs it.
type DescribeStateMachineForExecutionOutput struct {
	StateMachineARN      string               `json:"stateMachineArn"`
	Name                 string               `json:"name"`
	Definition           string               `json:"definition"`
	RoleARN              string               `json:"roleArn"`
	UpdateDate           Timestamp            `json:"updateDate"`
	LoggingConfiguration loggingOut           `json:"loggingConfiguration"`
	TracingConfiguration TracingConfiguration `json:"tracingConfiguration"`
	RevisionID           string               `json:"revisionId,omitempty"`
	// VariableReferences is as in DescribeStateMachineOutput, for the
	// definition the execution runs.
	VariableReferences map[string][]string `json:"variableReferences,omitempty"`
}

// ListExecutionsInput is the ListExecutions request.
type ListExecutionsInput struct {
	StateMachineARN *string `json:"stateMachineArn"`
	StatusFilter    *string `json:"statusFilter"`
	MaxResults      int     `json:"maxResults"`
	MapRunARN       *string `json:"mapRunArn"`
	RedriveFilter   *string `json:"redriveFilter"`
	NextToken       *string `json:"nextToken"`
}

// ExecutionListItem is one entry of ListExecutions.
type ExecutionListItem struct {
	ExecutionARN    string    `json:"executionArn"`
	StateMachineARN string    `json:"stateMachineArn"`
	Name            string    `json:"name"`
	Status          string    `json:"status"`
	StartDate       Timestamp `json:"startDate"`
	StopDate        Timestamp `json:"stopDate,omitzero"`
	RedriveCount    int       `json:"redriveCount"`
	// StateMachineVersionARN and StateMachineAliasARN: as in
	// DescribeExecutionOutput.
	StateMachineVersionARN string    `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasARN   string    `json:"stateMachineAliasArn,omitempty"`
	RedriveDate            Timestamp `json:"redriveDate,omitzero"`
}

// ListExecutionsOutput is the ListExecutions response.
type ListExecutionsOutput struct {
	Executions []ExecutionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

// GetExecutionHistoryInput is the GetExecutionHistory request.
type GetExecutionHistoryInput struct {
	ExecutionARN *string `json:"executionArn"`
	MaxResults   int     `json:"maxResults"`
	ReverseOrder bool    `json:"reverseOrder"`
	NextToken    *string `json:"nextToken"`
	// IncludeExecutionData defaults to true when absent.
	IncludeExecutionData *bool `json:"includeExecutionData"`
}

// GetExecutionHistoryOutput is the GetExecutionHistory response.
type GetExecutionHistoryOutput struct {
	Events    []history.Event `json:"events"`
	NextToken string          `json:"nextToken,omitempty"`
}

// decodeRequest reads a request body into dst. An empty body is an empty
// request; malformed JSON or a member of the wrong JSON type is a
// SerializationException, as the AWS JSON protocol answers them.
func decodeRequest(body []byte, dst any) *Error {
	if len(body) == 0 || decodeStrings(body, dst) {
		return nil
	}
	if err := json.Unmarshal(body, dst); err != nil {
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			return errorf(CodeSerialization, "Unexpected value type for member '%s'", te.Field)
		}
		return errorf(CodeSerialization, "Malformed request body")
	}
	return nil
}
