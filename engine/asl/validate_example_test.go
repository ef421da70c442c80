package asl_test

import (
	"fmt"

	"github.com/stepwise-sfn/stepwise/engine/asl"
)

func ExampleValidate() {
	def := `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}`
	diags := asl.Validate(def, asl.Options{})
	for _, d := range diags {
		fmt.Println(d.Severity, d.Code, d.Message, d.Location)
	}
	fmt.Println(asl.InvalidDefinitionMessage(diags))
	// Output:
	// ERROR MISSING_TRANSITION_TARGET Missing 'Next' target: B /States/A/Next
	// ERROR MISSING_END_STATE Workflow has no terminal state /
	// Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next, MISSING_END_STATE: Workflow has no terminal state at /'
}
