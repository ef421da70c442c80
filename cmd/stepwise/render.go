package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/stepwise-sfn/stepwise/engine/sfn"
	"github.com/stepwise-sfn/stepwise/engine/store/mem"
)

// renderCommand writes a definition's diagram to stdout: an SVG document,
// or with --json the layout (StepwiseLayout's "layout" object). Exit code 1
// when the definition cannot be parsed.
func renderCommand(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	const use = "usage: stepwise render DEFINITION [--theme light|dark] [--json]"
	var file, theme string
	asJSON := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "--json":
			asJSON = true
		case "--theme":
			if i+1 == len(args) {
				return 2, errors.New(use)
			}
			i++
			theme = args[i]
		default:
			if file != "" || len(a) > 1 && a[0] == '-' {
				return 2, errors.New(use)
			}
			file = a
		}
	}
	if file == "" {
		return 2, errors.New(use)
	}
	def, err := os.ReadFile(file)
	if err != nil {
		return 2, err
	}
	req := map[string]any{"definition": string(def), "format": "svg"}
	if theme != "" {
		req["theme"] = theme
	}
	if asJSON {
		req["format"] = "json"
	}
	svc := sfn.New(sfn.Options{Store: mem.New()})
	var out struct {
		Layout json.RawMessage `json:"layout"`
		SVG    string          `json:"svg"`
	}
	if err := call(ctx, svc, "StepwiseLayout", req, &out); err != nil {
		if e, ok := apiError(err); ok && e.Code == sfn.CodeInvalidDefinition {
			return 1, err
		}
		return 2, err
	}
	if asJSON {
		_, err = fmt.Fprintf(stdout, "%s\n", out.Layout)
	} else {
		_, err = io.WriteString(stdout, out.SVG)
	}
	return 0, err
}
