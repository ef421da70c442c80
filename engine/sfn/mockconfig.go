package sfn

import (
	"context"

	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/mock"
)

// MockRunner returns a task runner (for Options.Tasks) that serves the Step
// Functions Local mock configuration config: an execution started with a
// state machine ARN ending in "#TestCase" takes its task results from that
// test case; tasks no test case mocks fail as an unreachable resource.
// config may be a routing file: its Routes then come first (see
// SetMockConfig). It returns a *mock.Error when config cannot be used.
func MockRunner(config []byte) (interp.TaskRunner, error) {
	cfg, err := mock.Parse(config)
	if err != nil {
		return nil, err
	}
	return mockRunner{cfg}, nil
}

type mockRunner struct{ cfg *mock.Config }

func (m mockRunner) RunTask(ctx context.Context, req *interp.TaskRequest) interp.TaskResult {
	return interp.Unmocked(req)
}

func (m mockRunner) ForTestCase(stateMachineName, testCase string) interp.TaskRunner {
	return m.cfg.Runner(stateMachineName, testCase, nil)
}
