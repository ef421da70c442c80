package sfn

import (
	"context"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/graph"
)

func init() {
	operations["StepwiseLayout"] = (*Service).layout
}

// StepwiseLayoutInput is the request of StepwiseLayout, a Stepwise
// extension operation that lays a definition out as a diagram.
type StepwiseLayoutInput struct {
	Definition *string `json:"definition"`
	Format     string  `json:"format,omitempty"` // "json" (default) or "svg"
	Theme      string  `json:"theme,omitempty"`  // "light" (default) or "dark"; svg only
}

// StepwiseLayoutOutput is its response: Layout for the json format, SVG
// (a standalone document) for the svg format.
type StepwiseLayoutOutput struct {
	Layout *graph.Layout `json:"layout,omitempty"`
	SVG    string        `json:"svg,omitempty"`
}

// layout answers StepwiseLayout. A definition asl.Parse rejects is
// InvalidDefinition with the message CreateStateMachine gives; one that
// parses but has semantic errors (a missing Next target ...) still lays
// out, its dangling transitions dropped. Bad members are a
// ValidationException in AWS's words.
func (s *Service) layout(ctx context.Context, body []byte) (any, *Error) {
	var in StepwiseLayoutInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.Definition, "definition", 1, maxDefinitionLen)
	switch in.Format {
	case "", "json", "svg":
	default:
		v.add(in.Format, "format", "Member must satisfy enum value set: [json, svg]")
	}
	switch in.Theme {
	case "", graph.ThemeLight, graph.ThemeDark:
	default:
		v.add(in.Theme, "theme", "Member must satisfy enum value set: [light, dark]")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	text := []byte(*in.Definition)
	def, err := asl.Parse(text)
	if err != nil {
		if diags := asl.Validate(*in.Definition, asl.Options{}); asl.HasErrors(diags) {
			return nil, &Error{Code: CodeInvalidDefinition, Message: asl.InvalidDefinitionMessage(diags)}
		}
		return nil, errorf(CodeInvalidDefinition, "Invalid State Machine Definition: '%s'", err.Error())
	}
	l := graph.New(def, text)
	if in.Format == "svg" {
		return &StepwiseLayoutOutput{SVG: graph.SVG(l, in.Theme)}, nil
	}
	return &StepwiseLayoutOutput{Layout: l}, nil
}
