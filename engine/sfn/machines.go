package sfn

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/asl"
	"github.com/stepwise-sfn/stepwise/engine/interp"
	"github.com/stepwise-sfn/stepwise/engine/store"
)

// Limits from the API reference.
const (
	maxNameLen       = 80
	maxDefinitionLen = 1048576
	maxRoleARNLen    = 256
	maxTags          = 50
)

// validateDefinition checks a definition as CreateStateMachine does.
func validateDefinition(definition, typ string) *Error {
	diags := asl.Validate(definition, asl.Options{StateMachineType: typ})
	if asl.HasErrors(diags) {
		return &Error{Code: CodeInvalidDefinition, Message: asl.InvalidDefinitionMessage(diags)}
	}
	return nil
}

// checkRoleARN reports a malformed IAM role ARN.
func checkRoleARN(arn string) *Error {
	if !strings.HasPrefix(arn, "arn:") {
		return invalidArn("Invalid ARN prefix: " + arn)
	}
	if f := strings.SplitN(arn, ":", 6); len(f) < 6 || f[2] != "iam" || !strings.HasPrefix(f[5], "role/") {
		return invalidArn("Resource type not valid in this context: " + arn)
	}
	return nil
}

// loggingFromRequest validates a loggingConfiguration and converts it.
// See https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html
func loggingFromRequest(lc *LoggingConfiguration, v *violations) (store.LoggingConfiguration, *Error) {
	out := store.LoggingConfiguration{Level: "OFF"}
	if lc == nil {
		return out, nil
	}
	if lc.Level != "" {
		switch lc.Level {
		case "ALL", "ERROR", "FATAL", "OFF":
			out.Level = lc.Level
		default:
			v.add(lc.Level, "loggingConfiguration.level", "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]")
		}
	}
	out.IncludeExecutionData = lc.IncludeExecutionData
	if lc.Destinations != nil {
		out.LogGroupARNs = []string{}
	}
	for _, d := range lc.Destinations {
		arn := ""
		if d.CloudWatchLogsLogGroup != nil {
			arn = d.CloudWatchLogsLogGroup.LogGroupARN
		}
		out.LogGroupARNs = append(out.LogGroupARNs, arn)
	}
	if out.Level != "OFF" && len(out.LogGroupARNs) != 1 || len(out.LogGroupARNs) > 1 {
		return out, &Error{Code: CodeInvalidLoggingConfiguration, Message: "Invalid Logging Configuration: Must specify exactly one Log Destination."}
	}
	for _, arn := range out.LogGroupARNs {
		f := strings.Split(arn, ":")
		if len(f) != 8 || f[0] != "arn" || f[2] != "logs" || f[5] != "log-group" || f[6] == "" || f[7] != "*" {
			return out, &Error{Code: CodeInvalidLoggingConfiguration, Message: "Invalid Logging Configuration: The CloudWatch Logs Resource Policy size was exceeded or the log group ARN is not valid: '" + arn + "'"}
		}
	}
	return out, nil
}

func loggingToResponse(l store.LoggingConfiguration) loggingOut {
	out := loggingOut{Level: l.Level, IncludeExecutionData: l.IncludeExecutionData}
	if out.Level == "" {
		out.Level = "OFF"
	}
	if l.LogGroupARNs != nil {
		ds := make([]LogDestination, len(l.LogGroupARNs))
		for i, arn := range l.LogGroupARNs {
			ds[i] = LogDestination{CloudWatchLogsLogGroup: &CloudWatchLogsLogGroup{LogGroupARN: arn}}
		}
		out.Destinations = &ds
	}
	return out
}

func (s *Service) createStateMachine(ctx context.Context, body []byte) (any, *Error) {
	var in CreateStateMachineInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.Name, "name", 1, maxNameLen)
	v.required(in.Definition, "definition", 1, maxDefinitionLen)
	v.required(in.RoleARN, "roleArn", 1, maxRoleARNLen)
	typ := typeStandard
	switch in.Type {
	case "", typeStandard:
	case typeExpress:
		typ = typeExpress
	default:
		v.add(in.Type, "type", "Member must satisfy enum value set: [STANDARD, EXPRESS]")
	}
	tagsErr := checkTags(in.Tags, &v)
	logging, logErr := loggingFromRequest(in.LoggingConfiguration, &v)
	if err := checkVersionDescription(in.Publish, in.VersionDescription, &v); err != nil {
		return nil, err
	}
	if !validName(*in.Name) {
		return nil, errorf(CodeInvalidName, "Invalid Name: '%s'", *in.Name)
	}
	if err := checkRoleARN(*in.RoleARN); err != nil {
		return nil, err
	}
	if err := tagsErr(); err != nil {
		return nil, err
	}
	if logErr != nil {
		return nil, logErr
	}
	if err := validateDefinition(*in.Definition, typ); err != nil {
		return nil, err
	}
	tracing := in.TracingConfiguration != nil && in.TracingConfiguration.Enabled
	arn := s.machineARN(*in.Name)
	m, err := s.st.StateMachine(ctx, arn)
	switch {
	case err == nil:
		// CreateStateMachine is idempotent for an identical request.
		if m.Definition != *in.Definition || m.RoleARN != *in.RoleARN || m.Type != typ ||
			!sameLogging(m.Logging, logging) || m.Tracing != tracing {
			return nil, errorf(CodeStateMachineAlreadyExists, "State Machine Already Exists: '%s'", arn)
		}
	case errors.Is(err, store.ErrNotFound):
		now := s.clock.Now()
		m = &store.StateMachine{
			ARN: arn, Name: *in.Name, Type: typ, Definition: *in.Definition, RoleARN: *in.RoleARN,
			Status: "ACTIVE", Logging: logging, Tracing: tracing, CreationDate: now, UpdateDate: now,
			Tags: storeTags(in.Tags),
		}
		if err := s.st.PutStateMachine(ctx, m); err != nil {
			return nil, storeErr(err)
		}
	default:
		return nil, storeErr(err)
	}
	ver, perr := s.publishIf(ctx, in.Publish, m, in.VersionDescription)
	if perr != nil {
		return nil, perr
	}
	return CreateStateMachineOutput{StateMachineARN: arn, CreationDate: Timestamp(m.CreationDate), StateMachineVersionARN: ver}, nil
}

// publishIf publishes m as CreateStateMachine and UpdateStateMachine do
// when asked to (publish true), returning the version's ARN; "" when not
// asked.
func (s *Service) publishIf(ctx context.Context, publish bool, m *store.StateMachine, description string) (string, *Error) {
	if !publish {
		return "", nil
	}
	ver, err := s.publish(ctx, m, description)
	if err != nil {
		return "", err
	}
	return ver.ARN, nil
}

func sameLogging(a, b store.LoggingConfiguration) bool {
	return a.Level == b.Level && a.IncludeExecutionData == b.IncludeExecutionData &&
		slices.Equal(a.LogGroupARNs, b.LogGroupARNs) && (a.LogGroupARNs == nil) == (b.LogGroupARNs == nil)
}

// machine finds a state machine by ARN for the operations that take one.
func (s *Service) machine(ctx context.Context, arn string) (*store.StateMachine, *Error) {
	if _, err := parseARN(arn, "stateMachine"); err != nil {
		return nil, err
	}
	m, err := s.st.StateMachine(ctx, arn)
	if err != nil {
		return nil, missingAs(err, stateMachineDoesNotExist(arn))
	}
	return m, nil
}

// requireARN checks a required ARN member.
func requireARN(p *string, member string) *Error {
	var v violations
	v.required(p, member, 1, 256)
	return v.err()
}

func (s *Service) describeStateMachine(ctx context.Context, body []byte) (any, *Error) {
	var in DescribeStateMachineInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.StateMachineARN, "stateMachineArn"); err != nil {
		return nil, err
	}
	m, description, err := s.describeTarget(ctx, *in.StateMachineARN)
	if err != nil {
		return nil, err
	}
	return DescribeStateMachineOutput{
		StateMachineARN: *in.StateMachineARN, Name: m.Name, Description: description, Status: m.Status, Definition: m.Definition,
		RoleARN: m.RoleARN, Type: m.Type, CreationDate: Timestamp(m.CreationDate),
		LoggingConfiguration: loggingToResponse(m.Logging),
		TracingConfiguration: TracingConfiguration{Enabled: m.Tracing},
		RevisionID:           m.RevisionID,
		VariableReferences:   asl.VariableReferences(m.Definition),
	}, nil
}

func (s *Service) updateStateMachine(ctx context.Context, body []byte) (any, *Error) {
	var in UpdateStateMachineInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.StateMachineARN, "stateMachineArn", 1, 256)
	v.optional(in.Definition, "definition", 1, maxDefinitionLen)
	v.optional(in.RoleARN, "roleArn", 1, maxRoleARNLen)
	logging, logErr := loggingFromRequest(in.LoggingConfiguration, &v)
	if err := checkVersionDescription(in.Publish, in.VersionDescription, &v); err != nil {
		return nil, err
	}
	if in.Definition == nil && in.RoleARN == nil && in.LoggingConfiguration == nil && in.TracingConfiguration == nil {
		return nil, &Error{Code: CodeMissingRequiredParameter, Message: "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified"}
	}
	m, err := s.machine(ctx, *in.StateMachineARN)
	if err != nil {
		return nil, err
	}
	if in.RoleARN != nil {
		if err := checkRoleARN(*in.RoleARN); err != nil {
			return nil, err
		}
	}
	if logErr != nil {
		return nil, logErr
	}
	if in.Definition != nil {
		if err := validateDefinition(*in.Definition, m.Type); err != nil {
			return nil, err
		}
	}
	changed := false
	if in.Definition != nil && *in.Definition != m.Definition {
		m.Definition, changed = *in.Definition, true
	}
	if in.RoleARN != nil && *in.RoleARN != m.RoleARN {
		m.RoleARN, changed = *in.RoleARN, true
	}
	if in.LoggingConfiguration != nil && !sameLogging(logging, m.Logging) {
		m.Logging, changed = logging, true
	}
	if in.TracingConfiguration != nil && in.TracingConfiguration.Enabled != m.Tracing {
		m.Tracing, changed = in.TracingConfiguration.Enabled, true
	}
	now := s.clock.Now()
	// An update that changes nothing keeps the revision (none, for a
	// machine never changed), as on AWS.
	if changed {
		m.RevisionID = s.ids.UUID()
		m.UpdateDate = now
		if in.Publish {
			// A publish that would fail must not leave the update behind.
			if err := s.checkVersionQuota(ctx, m.ARN); err != nil {
				return nil, err
			}
		}
	}
	if err := s.st.PutStateMachine(ctx, m); err != nil {
		return nil, storeErr(err)
	}
	ver, perr := s.publishIf(ctx, in.Publish, m, in.VersionDescription)
	if perr != nil {
		return nil, perr
	}
	return UpdateStateMachineOutput{UpdateDate: Timestamp(now), RevisionID: m.RevisionID, StateMachineVersionARN: ver}, nil
}

func (s *Service) deleteStateMachine(ctx context.Context, body []byte) (any, *Error) {
	var in DeleteStateMachineInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.StateMachineARN, "stateMachineArn"); err != nil {
		return nil, err
	}
	if _, err := parseARN(*in.StateMachineARN, "stateMachine"); err != nil {
		return nil, err
	}
	// Deleting an unknown machine succeeds on AWS. Running executions
	// keep running with the definition they started with. The machine's
	// versions and aliases go with it.
	if err := s.deleteVersionsAndAliases(ctx, *in.StateMachineARN); err != nil {
		return nil, err
	}
	if err := s.st.DeleteStateMachine(ctx, *in.StateMachineARN); err != nil {
		return nil, storeErr(err)
	}
	return struct{}{}, nil
}

func (s *Service) listStateMachines(ctx context.Context, body []byte) (any, *Error) {
	var in ListStateMachinesInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	p := newPager("sm", in.MaxResults, in.NextToken, 1024, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := p.decode(); err != nil {
		return nil, err
	}
	all, err := s.st.StateMachines(ctx)
	if err != nil {
		return nil, storeErr(err)
	}
	var out ListStateMachinesOutput
	out.StateMachines, out.NextToken = page(p, all, func(m *store.StateMachine) StateMachineListItem {
		return StateMachineListItem{StateMachineARN: m.ARN, Name: m.Name, Type: m.Type, CreationDate: Timestamp(m.CreationDate)}
	})
	return out, nil
}

// program compiles a definition once per definition text.
func (s *Service) program(definition string) (*interp.Program, *Error) {
	if p, ok := s.programs[definition]; ok {
		return p, nil
	}
	def, err := asl.Parse([]byte(definition))
	if err != nil {
		return nil, errorf(CodeInvalidDefinition, "Invalid State Machine Definition: '%s'", err.Error())
	}
	p, err := interp.Compile(def)
	if err != nil {
		return nil, errorf(CodeInvalidDefinition, "Invalid State Machine Definition: '%s'", err.Error())
	}
	if len(s.programs) >= 256 {
		clear(s.programs)
	}
	s.programs[definition] = p
	return p, nil
}
