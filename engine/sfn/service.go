// Package sfn is the Step Functions API over a store: the AWS request and
// response types, the API errors, and Service, whose Invoke every host
// (CLI server, browser bridge, Worker) calls with the operation name and
// the JSON body AWS clients send (AWS JSON 1.0). No net/http here: hosts
// own the transport.
//
// See https://docs.aws.amazon.com/step-functions/latest/apireference/
package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

const (
	typeStandard = "STANDARD"
	typeExpress  = "EXPRESS"
)

// Options configure a Service. The zero value is usable.
type Options struct {
	// Store keeps machines, executions and histories. Required: hosts
	// pass one (store/mem.New() for memory only); the dependency rules keep
	// sfn from choosing an implementation itself. With nil, every
	// operation fails with ServiceUnavailable.
	Store store.Store
	// Region and AccountID go into ARNs; defaults us-east-1, 123456789012.
	Region, AccountID string
	// Clock tells the service the time; nil: a virtual clock that reads
	// DefaultEpoch and never moves by itself (hosts that want wall time
	// pass WallClock()).
	Clock interp.Clock
	// Virtual runs executions on virtual time: each execution gets its own
	// clock starting at its start time, and a timer (Wait, retry interval)
	// fires at once by moving that clock to the wake time. Histories keep
	// the timestamps AWS would record; nobody waits.
	Virtual bool
	// IDs generates execution names, revision ids, trace ids and task
	// tokens; nil: random UUIDs (RandomIDs).
	IDs interp.IDs
	// Tasks runs Task states; nil fails them as an unreachable resource
	// would. If it implements TestCaseRunner, Service asks it for the
	// runner of each execution's test case.
	Tasks interp.TaskRunner
	// LogSink receives the CloudWatch Logs records of executions whose
	// state machine has logging enabled, one JSON object per call.
	LogSink func(record []byte)
	// MaxHistoryEvents bounds the history of a STANDARD execution; the
	// benchmarks lift it to record AWS-sized histories of longer runs.
	MaxHistoryEvents int // 0: AWS's 25,000; negative: no limit
	// OnEvent, if set, receives every history event of every execution as
	// it is recorded, encoded as GetExecutionHistory encodes it. It is
	// called inside Invoke: it must not call Invoke itself.
	OnEvent func(executionARN string, event []byte)
	// LogGroupSink, like LogSink, receives the log records, with the log
	// group ARN of the state machine's logging destination, so hosts can
	// keep one file per log group. Both may be set.
	LogGroupSink func(logGroupARN string, record []byte)
}

// TestCaseRunner is implemented by task runners that serve Step Functions
// Local mock configurations: StartExecution with a state machine ARN
// ending in "#TestCase" runs with ForTestCase(machineName, "TestCase").
type TestCaseRunner interface {
	ForTestCase(stateMachineName, testCase string) interp.TaskRunner
}

// DefaultEpoch is where the default virtual clock stands.
var DefaultEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Service is the Step Functions API over a store. Safe for concurrent
// use: operations are serialised.
type Service struct {
	mu      sync.Mutex
	st      store.Store
	region  string
	account string
	clock   interp.Clock
	virtual bool
	ids     interp.IDs
	tasks   interp.TaskRunner
	logSink func([]byte)
	// maxEvents is the STANDARD history limit handed to interp (0: none).
	maxEvents int
	// live are the executions that have not ended, by execution ARN.
	live map[string]*liveRun
	// programs caches compiled definitions by definition text.
	programs map[string]*interp.Program
	onEvent  func(executionARN string, event []byte)
	// tokens maps every task token handed out to its execution's ARN
	// (sync records them), so SendTask* finds the run and tells an ended
	// task from a token never issued.
	tokens map[string]string
	// baseTasks is Options.Tasks or the mock configuration; hostTasks
	// the host's handler; tasks routes between them (hosttasks.go).
	baseTasks interp.TaskRunner
	hostTasks *TaskHandler
	// debug remembers the executions the debugger started (debug.go).
	debug *debugSet
	// deferred is work queued by later (route.go).
	deferred []func(ctx context.Context)
	// http is the host's HTTP client (httpclient.go); nil: none.
	http HTTPClient
	// redriveTokens are the recent RedriveExecution client tokens by
	// execution ARN (redrive.go).
	redriveTokens map[string][]clientToken
	// acts are the activity tasks waiting for workers (activities.go).
	acts activityQueues
	// nested links every execution started by a Task state to its parent,
	// by child ARN (nested.go).
	nested map[string]*childLink
	// goTasks and commands are the Go handlers of HandleTask and
	// HandleCommands; inflight counts their work (handlers.go).
	goTasks  []goHandler
	commands CommandFunc
	inflight inflight
	// durable is st when it keeps runs across restarts (durable.go);
	// resumed: Resume loaded them all, so none is loaded on demand.
	// tokenAlias maps the token a task served again after a restart
	// answers with to the token its run waits for.
	durable    store.Durable
	resumed    bool
	tokenAlias map[string]string
	// logGroupSink is Options.LogGroupSink (logging.go).
	logGroupSink func(logGroupARN string, record []byte)
}

// SetClock changes the service clock and whether new executions run on
// virtual time (see Options). Running executions keep the clock they
// started with.
func (s *Service) SetClock(clock interp.Clock, virtual bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if clock == nil {
		clock = interp.NewVirtualClock(DefaultEpoch)
	}
	s.clock, s.virtual = clock, virtual
}

// SetTasks changes the task runner of executions started from now on
// (a host's TaskHandler stays in front of it).
func (s *Service) SetTasks(tasks interp.TaskRunner) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseTasks = tasks
	s.tasks = s.routedTasks()
}

// New returns a Service with the options' defaults filled in.
func New(opts Options) *Service {
	s := &Service{
		st: opts.Store, region: opts.Region, account: opts.AccountID, clock: opts.Clock,
		virtual: opts.Virtual, ids: opts.IDs, logSink: opts.LogSink,
		live: map[string]*liveRun{}, programs: map[string]*interp.Program{},
		maxEvents: opts.MaxHistoryEvents, onEvent: opts.OnEvent, baseTasks: opts.Tasks,
	}
	switch {
	case s.maxEvents == 0:
		s.maxEvents = maxHistoryEvents
	case s.maxEvents < 0:
		s.maxEvents = 0
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.account == "" {
		s.account = "123456789012"
	}
	if s.clock == nil {
		s.clock = interp.NewVirtualClock(DefaultEpoch)
	}
	if s.ids == nil {
		s.ids = RandomIDs()
	}
	s.tasks = s.routedTasks()
	s.durable, _ = s.st.(store.Durable)
	s.logGroupSink = opts.LogGroupSink
	return s
}

// operations maps an operation name to its handler; each decodes its own
// request type.
var operations = map[string]func(s *Service, ctx context.Context, body []byte) (any, *Error){
	"CreateStateMachine":               (*Service).createStateMachine,
	"DescribeStateMachine":             (*Service).describeStateMachine,
	"UpdateStateMachine":               (*Service).updateStateMachine,
	"DeleteStateMachine":               (*Service).deleteStateMachine,
	"ListStateMachines":                (*Service).listStateMachines,
	"StartExecution":                   (*Service).startExecution,
	"StartSyncExecution":               (*Service).startSyncExecution,
	"StopExecution":                    (*Service).stopExecution,
	"DescribeExecution":                (*Service).describeExecution,
	"DescribeStateMachineForExecution": (*Service).describeStateMachineForExecution,
	"ListExecutions":                   (*Service).listExecutions,
	"GetExecutionHistory":              (*Service).getExecutionHistory,
}

// Invoke runs one API operation: operation is its name ("StartExecution"),
// request the JSON body AWS clients send. It returns the JSON response
// body, or an *Error (the only error type it returns). A panic inside an
// operation is a bug; it is recovered here and answered as InternalFailure.
func (s *Service) Invoke(ctx context.Context, operation string, request []byte) ([]byte, error) {
	var mark uint64
	resp, err := s.invoke(ctx, operation, request, &mark)
	if serr := s.syncStore(ctx, mark); serr != nil {
		return nil, serr
	}
	return resp, err
}

// syncStore waits until the writes up to mark, which a store that writes
// in the background (store.Syncer) made, are durable. It runs outside the
// lock, so that concurrent requests share a commit.
func (s *Service) syncStore(ctx context.Context, mark uint64) *Error {
	sy, ok := s.st.(store.Syncer)
	if !ok || mark == 0 {
		return nil
	}
	if err := sy.Sync(ctx, mark); err != nil {
		return &Error{Code: CodeInternalFailure, Message: "the store could not write: " + err.Error()}
	}
	return nil
}

// invoke runs the operation under the lock; mark is set to the store's
// write mark when the operation wrote (store.Syncer), else left 0.
func (s *Service) invoke(ctx context.Context, operation string, request []byte, mark *uint64) (resp []byte, err error) {
	op, ok := operations[operation]
	if !ok {
		return nil, &Error{Code: CodeUnknownOperation, Message: "Unknown operation " + operation}
	}
	if s.st == nil {
		return nil, &Error{Code: CodeServiceUnavailable, Message: "no store configured"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sy, ok := s.st.(store.Syncer); ok {
		before := sy.Written()
		defer func() {
			if after := sy.Written(); after != before {
				*mark = after
			}
		}()
	}
	defer func() {
		if r := recover(); r != nil {
			resp, err = nil, &Error{Code: CodeInternalFailure, Message: fmt.Sprintf("internal failure: %v", r)}
		}
	}()
	out, apiErr := op(s, ctx, request)
	s.drainLater(ctx)
	if apiErr != nil {
		return nil, apiErr
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// AWS escapes only what JSON requires, not < > &.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, &Error{Code: CodeInternalFailure, Message: "encoding response: " + err.Error()}
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// storeErr turns a store failure other than not-found into a service error.
func storeErr(err error) *Error {
	return &Error{Code: CodeServiceUnavailable, Message: "store: " + err.Error()}
}

// missingAs is the API error for a failed store read: notFound, in the
// operation's own words, when the record does not exist; the service
// error otherwise.
func missingAs(err error, notFound *Error) *Error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	return storeErr(err)
}
