package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

type diagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location"`
}

// validateCommand prints a definition's diagnostics; exit code 1 when it
// has errors.
func validateCommand(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	if len(args) != 1 {
		return 2, errors.New("usage: stepwise validate DEFINITION")
	}
	def, err := os.ReadFile(args[0])
	if err != nil {
		return 2, err
	}
	svc := sfn.New(sfn.Options{Store: mem.New()})
	var out struct {
		Result      string       `json:"result"`
		Diagnostics []diagnostic `json:"diagnostics"`
	}
	if err := call(ctx, svc, "ValidateStateMachineDefinition", map[string]any{"definition": string(def)}, &out); err != nil {
		return 2, err
	}
	for _, d := range out.Diagnostics {
		loc := d.Location
		if loc == "" {
			loc = "/"
		}
		fmt.Fprintf(stdout, "%s: %s %s: %s\n", args[0]+":"+loc, d.Severity, d.Code, d.Message)
	}
	if out.Result != "OK" {
		return 1, nil
	}
	fmt.Fprintf(stdout, "%s: OK\n", args[0])
	return 0, nil
}
