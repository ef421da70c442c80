// Command stepwise runs AWS Step Functions state machines locally: run one
// to the end on a virtual clock, validate a definition, or serve as an
// engine for the conformance runner and the benchmarks.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
)

const usage = `usage: stepwise <command> [arguments]

commands:
  run DEFINITION [--input JSON|@FILE] [--type STANDARD|EXPRESS]
                 [--routes FILE [--test-case NAME]] [--history] [--json] [--log FILE]
        run a state machine to the end on a virtual clock and print its output
  validate DEFINITION
        check a definition as CreateStateMachine does; exit 1 when invalid
  render DEFINITION [--theme light|dark] [--json]
        draw a definition as an SVG diagram (or its layout as JSON) on stdout
  conformance
        the JSON-lines engine of ../shared/conformance (requests on stdin)
  bench WORKLOAD_DIR
        run a benchmark workload (../shared/bench adapter contract)
  serve [--addr 127.0.0.1:8080] [--dir web] [--region R] [--account A] [--auth FILE]
        [--mock-config FILE] [--wait-time-scale F] [--data-dir D | --in-memory] [--log-format text|json]
        serve the playground and the Step Functions API (stepwise serve -h for all flags)
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx := context.Background()
	var err error
	code := 0
	switch args[0] {
	case "run":
		code, err = runCommand(ctx, args[1:], stdout, stderr)
	case "validate":
		code, err = validateCommand(ctx, args[1:], stdout)
	case "render":
		code, err = renderCommand(ctx, args[1:], stdout)
	case "conformance":
		err = conformanceCommand(ctx, stdin, stdout)
	case "bench":
		err = benchCommand(ctx, args[1:], stdout)
	case "serve":
		err = serveCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "stepwise: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "stepwise:", err)
		if code == 0 {
			code = 2
		}
	}
	return code
}

// call invokes an API operation with a request value and decodes the
// response into out (when not nil).
func call(ctx context.Context, svc *sfn.Service, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := svc.Invoke(ctx, op, body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(resp, out)
}

// readArg returns s, or the contents of the file s names with a leading @.
func readArg(s string) ([]byte, error) {
	if name, ok := strings.CutPrefix(s, "@"); ok {
		return os.ReadFile(name)
	}
	return []byte(s), nil
}

// apiError returns the *sfn.Error inside err, if any.
func apiError(err error) (*sfn.Error, bool) {
	var e *sfn.Error
	ok := errors.As(err, &e)
	return e, ok
}
