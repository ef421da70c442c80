package sfn

import (
	"context"
	"strconv"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

func init() {
	operations["DescribeMapRun"] = (*Service).describeMapRun
	operations["ListMapRuns"] = (*Service).listMapRuns
	operations["UpdateMapRun"] = (*Service).updateMapRun
}

// MapRunCounts are DescribeMapRun's itemCounts and executionCounts.
type MapRunCounts struct {
	Pending               int64 `json:"pending"`
	Running               int64 `json:"running"`
	Succeeded             int64 `json:"succeeded"`
	Failed                int64 `json:"failed"`
	TimedOut              int64 `json:"timedOut"`
	Aborted               int64 `json:"aborted"`
	Total                 int64 `json:"total"`
	ResultsWritten        int64 `json:"resultsWritten"`
	FailuresNotRedrivable int64 `json:"failuresNotRedrivable"`
	PendingRedrive        int64 `json:"pendingRedrive"`
}

// DescribeMapRunInput is the DescribeMapRun request.
type DescribeMapRunInput struct {
	MapRunARN *string `json:"mapRunArn"`
}

// DescribeMapRunOutput is the DescribeMapRun response.
type DescribeMapRunOutput struct {
	MapRunARN                  string       `json:"mapRunArn"`
	ExecutionARN               string       `json:"executionArn"`
	Status                     string       `json:"status"`
	StartDate                  Timestamp    `json:"startDate"`
	StopDate                   Timestamp    `json:"stopDate,omitzero"`
	MaxConcurrency             int64        `json:"maxConcurrency"`
	ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
	ItemCounts                 MapRunCounts `json:"itemCounts"`
	ExecutionCounts            MapRunCounts `json:"executionCounts"`
	RedriveCount               int          `json:"redriveCount"`
	RedriveDate                Timestamp    `json:"redriveDate,omitzero"`
}

// ListMapRunsInput is the ListMapRuns request.
type ListMapRunsInput struct {
	ExecutionARN *string `json:"executionArn"`
	MaxResults   int     `json:"maxResults"`
	NextToken    *string `json:"nextToken"`
}

// MapRunListItem is one entry of ListMapRuns.
type MapRunListItem struct {
	ExecutionARN    string    `json:"executionArn"`
	MapRunARN       string    `json:"mapRunArn"`
	StateMachineARN string    `json:"stateMachineArn"`
	StartDate       Timestamp `json:"startDate"`
	StopDate        Timestamp `json:"stopDate,omitzero"`
}

// ListMapRunsOutput is the ListMapRuns response.
type ListMapRunsOutput struct {
	MapRuns   []MapRunListItem `json:"mapRuns"`
	NextToken string           `json:"nextToken,omitempty"`
}

// UpdateMapRunInput is the UpdateMapRun request.
type UpdateMapRunInput struct {
	MapRunARN                  *string  `json:"mapRunArn"`
	MaxConcurrency             *int64   `json:"maxConcurrency"`
	ToleratedFailurePercentage *float64 `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      *int64   `json:"toleratedFailureCount"`
}

// mapRunStore returns the store's Map Run side, nil when it has none.
func (s *Service) mapRunStore() store.MapRunStore {
	ms, _ := s.st.(store.MapRunStore)
	return ms
}

// syncMapRuns writes the run's distributed Map runs to the store, so they
// outlive the run.
func (s *Service) syncMapRuns(ctx context.Context, lr *liveRun) *Error {
	ms := s.mapRunStore()
	runs := lr.run.MapRuns()
	if ms == nil || len(runs) == 0 {
		return nil
	}
	for _, m := range runs {
		c := m.Counts
		rec := &store.MapRun{
			ARN: m.ARN, ExecutionARN: lr.rec.ARN, StateMachineARN: mapRunMachineARN(m.ARN), Status: m.Status,
			StartDate: m.Start, StopDate: m.Stop, MaxConcurrency: m.MaxConcurrency,
			ToleratedFailureCount: m.ToleratedFailureCount, ToleratedFailurePercentage: m.ToleratedFailurePercentage,
			Items: store.MapRunCounts{Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed,
				TimedOut: c.TimedOut, Aborted: c.Aborted, Total: c.Total},
			RedriveCount: m.RedriveCount, RedriveDate: m.RedriveDate,
		}
		if err := ms.PutMapRun(ctx, rec); err != nil {
			return storeErr(err)
		}
	}
	return nil
}

// mapRunMachineARN is the ARN of a Map Run's child workflow:
// arn:...:mapRun:machine/label:id -> arn:...:stateMachine:machine/label.
func mapRunMachineARN(mapRunARN string) string {
	head, rest, ok := strings.Cut(mapRunARN, ":mapRun:")
	if !ok {
		return ""
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return head + ":stateMachine:" + rest
}

// mapRun finds a Map Run for the operations that take its ARN.
func (s *Service) mapRun(ctx context.Context, arn string) (*store.MapRun, *Error) {
	if _, err := parseARN(arn, "mapRun"); err != nil {
		return nil, err
	}
	notFound := errorf(CodeResourceNotFound, "Resource not found: '%s'", arn)
	ms := s.mapRunStore()
	if ms == nil {
		return nil, notFound
	}
	m, err := ms.MapRun(ctx, arn)
	if err != nil {
		return nil, missingAs(err, notFound)
	}
	return m, nil
}

func (s *Service) describeMapRun(ctx context.Context, body []byte) (any, *Error) {
	var in DescribeMapRunInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.MapRunARN, "mapRunArn", 1, 2000)
	if err := v.err(); err != nil {
		return nil, err
	}
	m, err := s.mapRun(ctx, *in.MapRunARN)
	if err != nil {
		return nil, err
	}
	c := MapRunCounts{Pending: m.Items.Pending, Running: m.Items.Running, Succeeded: m.Items.Succeeded,
		Failed: m.Items.Failed, TimedOut: m.Items.TimedOut, Aborted: m.Items.Aborted, Total: m.Items.Total,
		ResultsWritten: m.Items.ResultsWritten, FailuresNotRedrivable: m.Items.FailuresNotRedrivable,
		PendingRedrive: m.Items.PendingRedrive}
	return DescribeMapRunOutput{
		MapRunARN: m.ARN, ExecutionARN: m.ExecutionARN, Status: m.Status,
		StartDate: Timestamp(m.StartDate), StopDate: Timestamp(m.StopDate), MaxConcurrency: m.MaxConcurrency,
		ToleratedFailurePercentage: m.ToleratedFailurePercentage, ToleratedFailureCount: m.ToleratedFailureCount,
		// Iterations are not separate executions here: each item is
		// counted as the child execution that would run it.
		ItemCounts: c, ExecutionCounts: c,
		RedriveCount: m.RedriveCount, RedriveDate: Timestamp(m.RedriveDate),
	}, nil
}

func (s *Service) listMapRuns(ctx context.Context, body []byte) (any, *Error) {
	var in ListMapRunsInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.ExecutionARN, "executionArn", 1, 256)
	p := newPager("mr", in.MaxResults, in.NextToken, maxExecTokenLen, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := p.decode(); err != nil {
		return nil, err
	}
	rec, err := s.execution(ctx, *in.ExecutionARN)
	if err != nil {
		return nil, err
	}
	out := ListMapRunsOutput{MapRuns: []MapRunListItem{}}
	ms := s.mapRunStore()
	if ms == nil {
		return out, nil
	}
	all, serr := ms.MapRuns(ctx, rec.ARN)
	if serr != nil {
		return nil, storeErr(serr)
	}
	out.MapRuns, out.NextToken = page(p, all, func(m *store.MapRun) MapRunListItem {
		return MapRunListItem{ExecutionARN: m.ExecutionARN, MapRunARN: m.ARN,
			StateMachineARN: m.StateMachineARN, StartDate: Timestamp(m.StartDate), StopDate: Timestamp(m.StopDate)}
	})
	return out, nil
}

func (s *Service) updateMapRun(ctx context.Context, body []byte) (any, *Error) {
	var in UpdateMapRunInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.MapRunARN, "mapRunArn", 1, 2000)
	if in.MaxConcurrency != nil && *in.MaxConcurrency < 0 {
		v.add(strconv.FormatInt(*in.MaxConcurrency, 10), "maxConcurrency", "Member must have value greater than or equal to 0")
	}
	if in.ToleratedFailureCount != nil && *in.ToleratedFailureCount < 0 {
		v.add(strconv.FormatInt(*in.ToleratedFailureCount, 10), "toleratedFailureCount", "Member must have value greater than or equal to 0")
	}
	if p := in.ToleratedFailurePercentage; p != nil && (*p < 0 || *p > 100) {
		constraint := "Member must have value greater than or equal to 0"
		if *p > 100 {
			constraint = "Member must have value less than or equal to 100"
		}
		v.add(strconv.FormatFloat(*p, 'f', -1, 64), "toleratedFailurePercentage", constraint)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.MaxConcurrency == nil && in.ToleratedFailureCount == nil && in.ToleratedFailurePercentage == nil {
		return nil, errorf(CodeValidation, "Must specify at least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount")
	}
	m, err := s.mapRun(ctx, *in.MapRunARN)
	if err != nil {
		return nil, err
	}
	if lr := s.liveRun(ctx, m.ExecutionARN); lr != nil && lr.run.UpdateMapRun(m.ARN, in.MaxConcurrency, in.ToleratedFailureCount, in.ToleratedFailurePercentage) {
		// More concurrency may let the run go on at once.
		if err := s.drive(ctx, lr); err != nil {
			return nil, err
		}
		return struct{}{}, nil
	}
	if in.MaxConcurrency != nil {
		m.MaxConcurrency = *in.MaxConcurrency
	}
	if in.ToleratedFailureCount != nil {
		m.ToleratedFailureCount = *in.ToleratedFailureCount
	}
	if in.ToleratedFailurePercentage != nil {
		m.ToleratedFailurePercentage = *in.ToleratedFailurePercentage
	}
	if err := s.mapRunStore().PutMapRun(ctx, m); err != nil {
		return nil, storeErr(err)
	}
	return struct{}{}, nil
}

// listMapRunExecutions is ListExecutions with a mapRunArn. A distributed
// Map's iterations run inside the parent execution here, not as child
// executions, so the list is empty (in AWS's shape) once the Map Run is
// known.
func (s *Service) listMapRunExecutions(ctx context.Context, arn string) (any, *Error) {
	if _, err := s.mapRun(ctx, arn); err != nil {
		return nil, err
	}
	return ListExecutionsOutput{Executions: []ExecutionListItem{}}, nil
}
