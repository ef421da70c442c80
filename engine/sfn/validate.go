package sfn

import (
	"context"
	"strconv"

	"github.com/stepwise-sfn/stepwise/engine/asl"
)

func init() {
	operations["ValidateStateMachineDefinition"] = (*Service).validateStateMachineDefinition
}

// ValidateStateMachineDefinitionInput is the request of ValidateStateMachineDefinition.
type ValidateStateMachineDefinitionInput struct {
	Definition *string `json:"definition"`
	Type       string  `json:"type,omitempty"`
	Severity   string  `json:"severity,omitempty"`
	MaxResults int     `json:"maxResults,omitempty"`
}

// ValidateStateMachineDefinitionOutput is its response.
type ValidateStateMachineDefinitionOutput struct {
	Result      string           `json:"result"`
	Diagnostics []asl.Diagnostic `json:"diagnostics"`
	Truncated   bool             `json:"truncated"`
}

// validateStateMachineDefinition checks a definition without creating a
// state machine: result OK or FAIL, diagnostics capped by maxResults
// (default 100, at most 100).
func (s *Service) validateStateMachineDefinition(ctx context.Context, body []byte) (any, *Error) {
	var in ValidateStateMachineDefinitionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.Definition, "definition", 1, maxDefinitionLen)
	switch in.Type {
	case "", typeStandard, typeExpress:
	default:
		v.add(in.Type, "type", "Member must satisfy enum value set: [STANDARD, EXPRESS]")
	}
	switch in.Severity {
	case "", "ERROR", "WARNING":
	default:
		v.add(in.Severity, "severity", "Member must satisfy enum value set: [ERROR, WARNING]")
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		v.add(strconv.Itoa(in.MaxResults), "maxResults", "Member must have value less than or equal to 100")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	max := in.MaxResults
	if max == 0 {
		max = 100
	}
	all := asl.Validate(*in.Definition, asl.Options{StateMachineType: in.Type, MaxResults: max + 1})
	out := ValidateStateMachineDefinitionOutput{Result: "OK", Diagnostics: []asl.Diagnostic{}}
	for _, d := range all {
		if d.Severity == "ERROR" {
			out.Result = "FAIL"
		}
		if in.Severity == "ERROR" && d.Severity != "ERROR" {
			continue
		}
		if len(out.Diagnostics) == max {
			out.Truncated = true
			break
		}
		out.Diagnostics = append(out.Diagnostics, d)
	}
	return &out, nil
}
