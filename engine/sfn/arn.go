package sfn

import (
	"strings"
)

// machineARN formats a state machine ARN.
func (s *Service) machineARN(name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":stateMachine:" + name
}

// executionARN formats an execution ARN; express executions carry a UUID
// after the name, as on AWS.
func (s *Service) executionARN(typ, machine, name, uuid string) string {
	if typ == typeExpress {
		return "arn:aws:states:" + s.region + ":" + s.account + ":express:" + machine + ":" + name + ":" + uuid
	}
	return "arn:aws:states:" + s.region + ":" + s.account + ":execution:" + machine + ":" + name
}

// parsedARN is a states ARN split into its parts.
type parsedARN struct {
	resourceType string // stateMachine, execution, express
	rest         string // the fields after the resource type, ':'-separated
}

// parseARN splits a Step Functions ARN and checks its resource type
// against the ones the operation accepts, with AWS's InvalidArn wording.
func parseARN(arn string, accept ...string) (parsedARN, *Error) {
	if !strings.HasPrefix(arn, "arn:") {
		return parsedARN{}, invalidArn("Invalid ARN prefix: " + arn)
	}
	// arn:partition:service:region:account:type:rest, cut in place: most
	// requests parse an ARN, and a split would allocate its fields.
	var f [6]string
	rest := arn
	for i := range f {
		var ok bool
		if f[i], rest, ok = strings.Cut(rest, ":"); !ok {
			return parsedARN{}, invalidArn("Invalid ARN format: " + arn)
		}
	}
	if f[2] != "states" || f[1] == "" {
		return parsedARN{}, invalidArn("Invalid ARN format: " + arn)
	}
	p := parsedARN{resourceType: f[5], rest: rest}
	for _, a := range accept {
		if a == p.resourceType {
			return p, nil
		}
	}
	return parsedARN{}, invalidArn("Resource type not valid in this context: " + p.resourceType)
}

// validName reports whether s is a valid state machine or execution name:
// 1-80 characters, none of them white space, brackets < > { } [ ],
// wildcards ? *, the characters " # % \ ^ | ~ ` $ & , ; : /, or control
// characters (U+0000-001F, U+007F-009F). Length is checked separately (a
// ValidationException), so an empty name passes here.
//
// See https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
func validName(s string) bool {
	for _, r := range s {
		switch {
		case r <= 0x20, r >= 0x7f && r <= 0x9f:
			return false
		case strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r):
			return false
		case r == 0x85, r == 0xa0, r == 0x1680, r >= 0x2000 && r <= 0x200a, r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
			// Unicode white space.
			return false
		}
	}
	return true
}
