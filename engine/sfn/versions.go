package sfn

import (
	"context"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

func init() {
	operations["PublishStateMachineVersion"] = (*Service).publishStateMachineVersion
	operations["ListStateMachineVersions"] = (*Service).listStateMachineVersions
	operations["DeleteStateMachineVersion"] = (*Service).deleteStateMachineVersion
}

// Error codes of the version and alias operations.
const (
	CodeConflict             = "ConflictException"
	CodeResourceNotFound     = "ResourceNotFound"
	CodeServiceQuotaExceeded = "ServiceQuotaExceededException"
)

// Limits of versions and aliases, from the Step Functions quotas.
const (
	maxVersions         = 1000
	maxAliases          = 100
	maxDescriptionLen   = 256
	maxVersionARNLen    = 2048
	maxVersionsTokenLen = 1024
)

// PublishStateMachineVersionInput is the PublishStateMachineVersion request.
type PublishStateMachineVersionInput struct {
	StateMachineARN *string `json:"stateMachineArn"`
	// RevisionID, when set, must be the state machine's current revision
	// ("INITIAL" for one never updated).
	RevisionID  *string `json:"revisionId"`
	Description *string `json:"description"`
}

// PublishStateMachineVersionOutput is the PublishStateMachineVersion response.
type PublishStateMachineVersionOutput struct {
	CreationDate           Timestamp `json:"creationDate"`
	StateMachineVersionARN string    `json:"stateMachineVersionArn"`
}

// ListStateMachineVersionsInput is the ListStateMachineVersions request.
type ListStateMachineVersionsInput struct {
	StateMachineARN *string `json:"stateMachineArn"`
	NextToken       *string `json:"nextToken"`
	MaxResults      int     `json:"maxResults"`
}

// StateMachineVersionListItem is one entry of ListStateMachineVersions.
type StateMachineVersionListItem struct {
	StateMachineVersionARN string    `json:"stateMachineVersionArn"`
	CreationDate           Timestamp `json:"creationDate"`
}

// ListStateMachineVersionsOutput is the ListStateMachineVersions response.
type ListStateMachineVersionsOutput struct {
	StateMachineVersions []StateMachineVersionListItem `json:"stateMachineVersions"`
	NextToken            string                        `json:"nextToken,omitempty"`
}

// DeleteStateMachineVersionInput is the DeleteStateMachineVersion request.
type DeleteStateMachineVersionInput struct {
	StateMachineVersionARN *string `json:"stateMachineVersionArn"`
}

// machineRef is a state machine ARN split into the machine and what
// qualifies it: "machine:NAME" is the machine itself, "machine:NAME:3"
// its version 3, "machine:NAME:prod" its alias prod (alias names always
// hold a non-digit, so the two cannot be confused).
type machineRef struct {
	base    string // the state machine's ARN
	version int    // > 0 for a version ARN
	alias   string // the alias name for an alias ARN
}

// parseMachineRef parses a state machine, version or alias ARN, with
// parseARN's InvalidArn errors.
func parseMachineRef(arn string) (machineRef, *Error) {
	p, err := parseARN(arn, "stateMachine")
	if err != nil {
		return machineRef{}, err
	}
	// name:qualifier, exactly two fields, or the unqualified machine
	_, q, ok := strings.Cut(p.rest, ":")
	if !ok || q == "" || strings.Contains(q, ":") {
		return machineRef{base: arn}, nil
	}
	base := arn[:strings.LastIndexByte(arn, ':')]
	if strings.Trim(q, "0123456789") == "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			return machineRef{base: arn}, nil
		}
		return machineRef{base: base, version: n}, nil
	}
	return machineRef{base: base, alias: q}, nil
}

// versionARN formats the ARN of a state machine's version n.
func versionARN(machineARN string, n int) string {
	return machineARN + ":" + strconv.Itoa(n)
}

// withVersion returns the state machine as its version v runs it.
func withVersion(m *store.StateMachine, v *store.StateMachineVersion) *store.StateMachine {
	c := *m
	c.Type, c.Definition, c.RoleARN, c.Logging, c.Tracing = v.Type, v.Definition, v.RoleARN, v.Logging, v.Tracing
	c.RevisionID, c.CreationDate, c.UpdateDate = v.RevisionID, v.CreationDate, v.CreationDate
	return &c
}

// version finds a version by ARN; a missing one (or a missing machine)
// is StateMachineDoesNotExist with the version ARN, as AWS answers.
func (s *Service) version(ctx context.Context, arn string) (*store.StateMachineVersion, *Error) {
	v, err := s.st.StateMachineVersion(ctx, arn)
	if err != nil {
		return nil, missingAs(err, stateMachineDoesNotExist(arn))
	}
	return v, nil
}

// runTarget resolves the stateMachineArn of StartExecution: a state
// machine runs its current definition, a version the version's, and an
// alias one of its versions picked by weight. It returns the state
// machine as the execution runs it (ARN and name of the machine itself)
// and the version and alias ARNs to record.
func (s *Service) runTarget(ctx context.Context, arn string) (m *store.StateMachine, versionARN, aliasARN string, apiErr *Error) {
	ref, err := parseMachineRef(arn)
	if err != nil {
		return nil, "", "", err
	}
	if ref.version == 0 && ref.alias == "" {
		m, err := s.machine(ctx, arn)
		return m, "", "", err
	}
	versionARN = arn
	if ref.alias != "" {
		a, err := s.st.StateMachineAlias(ctx, arn)
		if err != nil {
			return nil, "", "", missingAs(err, stateMachineDoesNotExist(arn))
		}
		aliasARN, versionARN = arn, s.pickVersion(a.Routing)
	}
	v, verr := s.version(ctx, versionARN)
	if verr != nil {
		return nil, "", "", verr
	}
	base, berr := s.st.StateMachine(ctx, ref.base)
	if berr != nil {
		return nil, "", "", missingAs(berr, stateMachineDoesNotExist(arn))
	}
	return withVersion(base, v), versionARN, aliasARN, nil
}

// pickVersion chooses the version an alias execution runs: a number in
// [0, 100) drawn from the service's ID source (deterministic when the IDs
// are) against the first route's weight.
func (s *Service) pickVersion(routes []store.RoutingRule) string {
	if len(routes) == 1 {
		return routes[0].VersionARN
	}
	h := fnv.New32a()
	h.Write([]byte(s.ids.UUID()))
	if int(h.Sum32()%100) < routes[0].Weight {
		return routes[0].VersionARN
	}
	return routes[1].VersionARN
}

// publish creates a version from the state machine's current revision,
// or returns the version already published from it (publishing is
// idempotent on AWS). m must be the stored machine; its LastVersion is
// advanced and stored.
func (s *Service) publish(ctx context.Context, m *store.StateMachine, description string) (*store.StateMachineVersion, *Error) {
	versions, err := s.st.StateMachineVersions(ctx, m.ARN)
	if err != nil {
		return nil, storeErr(err)
	}
	for _, v := range versions {
		if v.RevisionID == m.RevisionID {
			return v, nil
		}
	}
	if len(versions) >= maxVersions {
		return nil, versionQuotaExceeded(m.ARN)
	}
	m.LastVersion++
	v := &store.StateMachineVersion{
		ARN: versionARN(m.ARN, m.LastVersion), StateMachineARN: m.ARN, Number: m.LastVersion, Description: description,
		Type: m.Type, Definition: m.Definition, RoleARN: m.RoleARN, Logging: m.Logging, Tracing: m.Tracing,
		RevisionID: m.RevisionID, CreationDate: s.clock.Now(),
	}
	if err := s.st.PutStateMachine(ctx, m); err != nil {
		return nil, storeErr(err)
	}
	if err := s.st.PutStateMachineVersion(ctx, v); err != nil {
		return nil, storeErr(err)
	}
	return v, nil
}

// checkVersionDescription checks the publish and versionDescription
// members of CreateStateMachine and UpdateStateMachine.
func checkVersionDescription(publish bool, description string, v *violations) *Error {
	v.length(description, "versionDescription", 0, maxDescriptionLen)
	if err := v.err(); err != nil {
		return err
	}
	if description != "" && !publish {
		return &Error{Code: CodeValidation, Message: "Version description can only be set when publish is true"}
	}
	return nil
}

func (s *Service) publishStateMachineVersion(ctx context.Context, body []byte) (any, *Error) {
	var in PublishStateMachineVersionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.StateMachineARN, "stateMachineArn", 1, 256)
	description := ""
	if in.Description != nil {
		description = *in.Description
		v.length(description, "description", 0, maxDescriptionLen)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	m, err := s.machine(ctx, *in.StateMachineARN)
	if err != nil {
		return nil, err
	}
	if in.RevisionID != nil {
		current := m.RevisionID
		if current == "" {
			current = "INITIAL"
		}
		if *in.RevisionID != current {
			return nil, errorf(CodeConflict, "Failed to publish the State Machine version for revision %s. The current State Machine revision is %s.", *in.RevisionID, current)
		}
	}
	ver, err := s.publish(ctx, m, description)
	if err != nil {
		return nil, err
	}
	return PublishStateMachineVersionOutput{CreationDate: Timestamp(ver.CreationDate), StateMachineVersionARN: ver.ARN}, nil
}

func (s *Service) listStateMachineVersions(ctx context.Context, body []byte) (any, *Error) {
	var in ListStateMachineVersionsInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.StateMachineARN, "stateMachineArn", 1, 256)
	p := newPager("ver", in.MaxResults, in.NextToken, maxVersionsTokenLen, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := p.decode(); err != nil {
		return nil, err
	}
	m, err := s.machine(ctx, *in.StateMachineARN)
	if err != nil {
		return nil, err
	}
	all, serr := s.st.StateMachineVersions(ctx, m.ARN)
	if serr != nil {
		return nil, storeErr(serr)
	}
	var out ListStateMachineVersionsOutput
	out.StateMachineVersions, out.NextToken = page(p, all, func(ver *store.StateMachineVersion) StateMachineVersionListItem {
		return StateMachineVersionListItem{StateMachineVersionARN: ver.ARN, CreationDate: Timestamp(ver.CreationDate)}
	})
	return out, nil
}

func (s *Service) deleteStateMachineVersion(ctx context.Context, body []byte) (any, *Error) {
	var in DeleteStateMachineVersionInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.StateMachineVersionARN, "stateMachineVersionArn", 1, maxVersionARNLen)
	if err := v.err(); err != nil {
		return nil, err
	}
	arn := *in.StateMachineVersionARN
	ref, err := parseMachineRef(arn)
	if err != nil {
		return nil, err
	}
	if ref.version == 0 {
		return nil, invalidArn("Invalid ARN format: " + arn + " is not a state machine version ARN")
	}
	aliases, serr := s.st.StateMachineAliases(ctx, ref.base)
	if serr != nil {
		return nil, storeErr(serr)
	}
	var names []string
	for _, a := range aliases {
		for _, r := range a.Routing {
			if r.VersionARN == arn {
				names = append(names, a.Name)
			}
		}
	}
	if len(names) > 0 {
		return nil, errorf(CodeConflict, "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]", strings.Join(names, ", "))
	}
	// Deleting a version that does not exist succeeds, as on AWS; running
	// executions of the version keep running.
	if err := s.st.DeleteStateMachineVersion(ctx, arn); err != nil {
		return nil, storeErr(err)
	}
	return struct{}{}, nil
}

// deleteVersionsAndAliases removes everything published from a state
// machine, for DeleteStateMachine.
func (s *Service) deleteVersionsAndAliases(ctx context.Context, machineARN string) *Error {
	aliases, err := s.st.StateMachineAliases(ctx, machineARN)
	if err != nil {
		return storeErr(err)
	}
	for _, a := range aliases {
		if err := s.st.DeleteStateMachineAlias(ctx, a.ARN); err != nil {
			return storeErr(err)
		}
	}
	versions, err := s.st.StateMachineVersions(ctx, machineARN)
	if err != nil {
		return storeErr(err)
	}
	for _, v := range versions {
		if err := s.st.DeleteStateMachineVersion(ctx, v.ARN); err != nil {
			return storeErr(err)
		}
	}
	return nil
}

// describeTarget finds what DescribeStateMachine describes: a state
// machine, or one of its versions (with the version's description). An
// alias ARN is not a state machine: StateMachineDoesNotExist.
func (s *Service) describeTarget(ctx context.Context, arn string) (*store.StateMachine, string, *Error) {
	ref, err := parseMachineRef(arn)
	if err != nil {
		return nil, "", err
	}
	if ref.version == 0 && ref.alias == "" {
		m, err := s.machine(ctx, arn)
		return m, "", err
	}
	if ref.alias != "" {
		return nil, "", stateMachineDoesNotExist(arn)
	}
	v, err := s.version(ctx, arn)
	if err != nil {
		return nil, "", err
	}
	m, merr := s.st.StateMachine(ctx, ref.base)
	if merr != nil {
		return nil, "", missingAs(merr, stateMachineDoesNotExist(arn))
	}
	return withVersion(m, v), v.Description, nil
}

func versionQuotaExceeded(machineARN string) *Error {
	return errorf(CodeServiceQuotaExceeded, "Failed to publish the State Machine version: the state machine '%s' has reached the limit of %d versions", machineARN, maxVersions)
}

// checkVersionQuota fails when a state machine has as many versions as it
// may have, so that UpdateStateMachine with publish fails before it
// changes anything.
func (s *Service) checkVersionQuota(ctx context.Context, machineARN string) *Error {
	versions, err := s.st.StateMachineVersions(ctx, machineARN)
	if err != nil {
		return storeErr(err)
	}
	if len(versions) >= maxVersions {
		return versionQuotaExceeded(machineARN)
	}
	return nil
}
