package sfn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

func init() {
	operations["CreateStateMachineAlias"] = (*Service).createStateMachineAlias
	operations["DescribeStateMachineAlias"] = (*Service).describeStateMachineAlias
	operations["UpdateStateMachineAlias"] = (*Service).updateStateMachineAlias
	operations["DeleteStateMachineAlias"] = (*Service).deleteStateMachineAlias
	operations["ListStateMachineAliases"] = (*Service).listStateMachineAliases
}

// aliasNamePattern is the API model's pattern for alias names, quoted in
// its ValidationException.
const aliasNamePattern = `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$`

// RoutingConfigurationListItem is one route of an alias as requests send
// it: both members are required.
type RoutingConfigurationListItem struct {
	StateMachineVersionARN *string `json:"stateMachineVersionArn"`
	Weight                 *int    `json:"weight"`
}

// RoutingConfigurationItem is one route of an alias as responses show it.
type RoutingConfigurationItem struct {
	StateMachineVersionARN string `json:"stateMachineVersionArn"`
	Weight                 int    `json:"weight"`
}

// CreateStateMachineAliasInput is the CreateStateMachineAlias request.
type CreateStateMachineAliasInput struct {
	Name                 *string                        `json:"name"`
	Description          *string                        `json:"description"`
	RoutingConfiguration []RoutingConfigurationListItem `json:"routingConfiguration"`
}

// CreateStateMachineAliasOutput is the CreateStateMachineAlias response.
type CreateStateMachineAliasOutput struct {
	StateMachineAliasARN string    `json:"stateMachineAliasArn"`
	CreationDate         Timestamp `json:"creationDate"`
}

// DescribeStateMachineAliasInput is the DescribeStateMachineAlias request.
type DescribeStateMachineAliasInput struct {
	StateMachineAliasARN *string `json:"stateMachineAliasArn"`
}

// DescribeStateMachineAliasOutput is the DescribeStateMachineAlias response.
type DescribeStateMachineAliasOutput struct {
	StateMachineAliasARN string                     `json:"stateMachineAliasArn"`
	Name                 string                     `json:"name"`
	Description          string                     `json:"description,omitempty"`
	RoutingConfiguration []RoutingConfigurationItem `json:"routingConfiguration"`
	CreationDate         Timestamp                  `json:"creationDate"`
	UpdateDate           Timestamp                  `json:"updateDate"`
}

// UpdateStateMachineAliasInput is the UpdateStateMachineAlias request; at
// least one of Description and RoutingConfiguration is required.
type UpdateStateMachineAliasInput struct {
	StateMachineAliasARN *string                        `json:"stateMachineAliasArn"`
	Description          *string                        `json:"description"`
	RoutingConfiguration []RoutingConfigurationListItem `json:"routingConfiguration"`
}

// UpdateStateMachineAliasOutput is the UpdateStateMachineAlias response.
type UpdateStateMachineAliasOutput struct {
	UpdateDate Timestamp `json:"updateDate"`
}

// DeleteStateMachineAliasInput is the DeleteStateMachineAlias request.
type DeleteStateMachineAliasInput struct {
	StateMachineAliasARN *string `json:"stateMachineAliasArn"`
}

// ListStateMachineAliasesInput is the ListStateMachineAliases request.
// StateMachineARN may be a version ARN: then only the aliases routing to
// that version are listed.
type ListStateMachineAliasesInput struct {
	StateMachineARN *string `json:"stateMachineArn"`
	NextToken       *string `json:"nextToken"`
	MaxResults      int     `json:"maxResults"`
}

// StateMachineAliasListItem is one entry of ListStateMachineAliases.
type StateMachineAliasListItem struct {
	StateMachineAliasARN string    `json:"stateMachineAliasArn"`
	CreationDate         Timestamp `json:"creationDate"`
}

// ListStateMachineAliasesOutput is the ListStateMachineAliases response.
type ListStateMachineAliasesOutput struct {
	StateMachineAliases []StateMachineAliasListItem `json:"stateMachineAliases"`
	NextToken           string                      `json:"nextToken,omitempty"`
}

// aliasNotFound is AWS's ResourceNotFound for an alias.
func aliasNotFound() *Error {
	return &Error{Code: CodeResourceNotFound, Message: "Request references a resource that does not exist."}
}

// validAliasName reports whether a name matches aliasNamePattern: only
// letters, digits, _ - and ., with at least one character that is not a
// digit (so that an alias ARN never reads as a version ARN).
func validAliasName(name string) bool {
	nonDigit := false
	for _, r := range name {
		switch {
		case r >= '0' && r <= '9':
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == '-', r == '.':
			nonDigit = true
		default:
			return false
		}
	}
	return nonDigit
}

// checkRouting records the model constraints of a routingConfiguration
// (one or two routes, weights 0-100) in v.
func checkRouting(routes []RoutingConfigurationListItem, v *violations) {
	if routes == nil {
		v.null("routingConfiguration")
		return
	}
	if n := len(routes); n < 1 || n > 2 {
		parts := make([]string, n)
		for i, r := range routes {
			arn, w := "null", "null"
			if r.StateMachineVersionARN != nil {
				arn = *r.StateMachineVersionARN
			}
			if r.Weight != nil {
				w = strconv.Itoa(*r.Weight)
			}
			parts[i] = "RoutingConfigurationListItem(stateMachineVersionArn=" + arn + ", weight=" + w + ")"
		}
		constraint := "Member must have length less than or equal to 2"
		if n < 1 {
			constraint = "Member must have length greater than or equal to 1"
		}
		v.add("["+strings.Join(parts, ", ")+"]", "routingConfiguration", constraint)
		return
	}
	for i, r := range routes {
		member := fmt.Sprintf("routingConfiguration.%d.member.", i+1)
		v.required(r.StateMachineVersionARN, member+"stateMachineVersionArn", 1, maxVersionARNLen)
		switch {
		case r.Weight == nil:
			v.null(member + "weight")
		case *r.Weight < 0:
			v.add(strconv.Itoa(*r.Weight), member+"weight", "Member must have value greater than or equal to 0")
		case *r.Weight > 100:
			v.add(strconv.Itoa(*r.Weight), member+"weight", "Member must have value less than or equal to 100")
		}
	}
}

// resolveRouting checks what the model cannot (distinct versions, weights
// summing to 100, existing versions of one state machine) and returns the
// routes and the state machine they belong to.
func (s *Service) resolveRouting(ctx context.Context, routes []RoutingConfigurationListItem) ([]store.RoutingRule, *store.StateMachine, *Error) {
	arns := make([]string, len(routes))
	weights := make([]string, len(routes))
	sum := 0
	for i, r := range routes {
		arns[i], weights[i] = *r.StateMachineVersionARN, strconv.Itoa(*r.Weight)
		sum += *r.Weight
	}
	received := "[" + strings.Join(arns, ", ") + "]"
	if len(arns) == 2 && arns[0] == arns[1] {
		return nil, nil, errorf(CodeValidation, "Routing configuration must contain distinct state machine version ARNs. Received: %s", received)
	}
	if sum != 100 {
		return nil, nil, errorf(CodeValidation, "Sum of routing configuration weights must equal 100. Received: [%s]", strings.Join(weights, ", "))
	}
	base := ""
	out := make([]store.RoutingRule, len(routes))
	for i, arn := range arns {
		ref, err := parseMachineRef(arn)
		if err != nil || ref.version == 0 {
			return nil, nil, errorf(CodeValidation, "Routing configuration must contain state machine version ARNs. Received: %s", received)
		}
		if base != "" && ref.base != base {
			return nil, nil, errorf(CodeValidation, "Routing configuration must contain state machine version ARNs of the same state machine. Received: %s", received)
		}
		base = ref.base
		if _, err := s.st.StateMachineVersion(ctx, arn); err != nil {
			return nil, nil, missingAs(err, errorf(CodeValidation, "Routing configuration must contain state machine version ARNs. Received: %s", received))
		}
		out[i] = store.RoutingRule{VersionARN: arn, Weight: *routes[i].Weight}
	}
	m, err := s.st.StateMachine(ctx, base)
	if err != nil {
		return nil, nil, missingAs(err, stateMachineDoesNotExist(base))
	}
	return out, m, nil
}

func (s *Service) createStateMachineAlias(ctx context.Context, body []byte) (any, *Error) {
	var in CreateStateMachineAliasInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.optional(in.Description, "description", 0, maxDescriptionLen)
	v.required(in.Name, "name", 1, maxNameLen)
	if in.Name != nil && len([]rune(*in.Name)) <= maxNameLen && *in.Name != "" && !validAliasName(*in.Name) {
		v.add(*in.Name, "name", "Member must satisfy regular expression pattern: "+aliasNamePattern)
	}
	checkRouting(in.RoutingConfiguration, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	routes, m, err := s.resolveRouting(ctx, in.RoutingConfiguration)
	if err != nil {
		return nil, err
	}
	description := ""
	if in.Description != nil {
		description = *in.Description
	}
	arn := m.ARN + ":" + *in.Name
	prev, serr := s.st.StateMachineAlias(ctx, arn)
	switch {
	case serr == nil:
		// CreateStateMachineAlias is idempotent for the same request.
		if prev.Description == description && slices.Equal(prev.Routing, routes) {
			return CreateStateMachineAliasOutput{StateMachineAliasARN: arn, CreationDate: Timestamp(prev.CreationDate)}, nil
		}
		return nil, &Error{Code: CodeConflict, Message: "Failed to create alias because an alias with the same name and a different routing configuration already exists."}
	case !errors.Is(serr, store.ErrNotFound):
		return nil, storeErr(serr)
	}
	existing, serr := s.st.StateMachineAliases(ctx, m.ARN)
	if serr != nil {
		return nil, storeErr(serr)
	}
	if len(existing) >= maxAliases {
		return nil, errorf(CodeServiceQuotaExceeded, "Failed to create alias: the state machine '%s' has reached the limit of %d aliases", m.ARN, maxAliases)
	}
	now := s.clock.Now()
	a := &store.StateMachineAlias{
		ARN: arn, StateMachineARN: m.ARN, Name: *in.Name, Description: description, Routing: routes,
		CreationDate: now, UpdateDate: now,
	}
	if err := s.st.PutStateMachineAlias(ctx, a); err != nil {
		return nil, storeErr(err)
	}
	return CreateStateMachineAliasOutput{StateMachineAliasARN: arn, CreationDate: Timestamp(now)}, nil
}

// alias finds an alias by ARN; anything that is not the ARN of an
// existing alias is ResourceNotFound.
func (s *Service) alias(ctx context.Context, arn string) (*store.StateMachineAlias, *Error) {
	ref, err := parseMachineRef(arn)
	if err != nil {
		return nil, err
	}
	if ref.alias == "" {
		return nil, aliasNotFound()
	}
	a, serr := s.st.StateMachineAlias(ctx, arn)
	if serr != nil {
		return nil, missingAs(serr, aliasNotFound())
	}
	return a, nil
}

func (s *Service) describeStateMachineAlias(ctx context.Context, body []byte) (any, *Error) {
	var in DescribeStateMachineAliasInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.StateMachineAliasARN, "stateMachineAliasArn"); err != nil {
		return nil, err
	}
	a, err := s.alias(ctx, *in.StateMachineAliasARN)
	if err != nil {
		return nil, err
	}
	out := DescribeStateMachineAliasOutput{
		StateMachineAliasARN: a.ARN, Name: a.Name, Description: a.Description,
		RoutingConfiguration: make([]RoutingConfigurationItem, len(a.Routing)),
		CreationDate:         Timestamp(a.CreationDate), UpdateDate: Timestamp(a.UpdateDate),
	}
	for i, r := range a.Routing {
		out.RoutingConfiguration[i] = RoutingConfigurationItem{StateMachineVersionARN: r.VersionARN, Weight: r.Weight}
	}
	return out, nil
}

func (s *Service) updateStateMachineAlias(ctx context.Context, body []byte) (any, *Error) {
	var in UpdateStateMachineAliasInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.StateMachineAliasARN, "stateMachineAliasArn", 1, 256)
	v.optional(in.Description, "description", 0, maxDescriptionLen)
	if in.RoutingConfiguration != nil {
		checkRouting(in.RoutingConfiguration, &v)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.Description == nil && in.RoutingConfiguration == nil {
		return nil, &Error{Code: CodeValidation, Message: "Either the description or the routing configuration must be specified"}
	}
	a, err := s.alias(ctx, *in.StateMachineAliasARN)
	if err != nil {
		return nil, err
	}
	if in.RoutingConfiguration != nil {
		routes, m, err := s.resolveRouting(ctx, in.RoutingConfiguration)
		if err != nil {
			return nil, err
		}
		if m.ARN != a.StateMachineARN {
			return nil, errorf(CodeValidation, "Routing configuration must contain state machine version ARNs of the same state machine as the alias. Received: [%s]", routeARNs(routes))
		}
		a.Routing = routes
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	a.UpdateDate = s.clock.Now()
	if err := s.st.PutStateMachineAlias(ctx, a); err != nil {
		return nil, storeErr(err)
	}
	return UpdateStateMachineAliasOutput{UpdateDate: Timestamp(a.UpdateDate)}, nil
}

func routeARNs(routes []store.RoutingRule) string {
	arns := make([]string, len(routes))
	for i, r := range routes {
		arns[i] = r.VersionARN
	}
	return strings.Join(arns, ", ")
}

func (s *Service) deleteStateMachineAlias(ctx context.Context, body []byte) (any, *Error) {
	var in DeleteStateMachineAliasInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.StateMachineAliasARN, "stateMachineAliasArn"); err != nil {
		return nil, err
	}
	ref, err := parseMachineRef(*in.StateMachineAliasARN)
	if err != nil {
		return nil, err
	}
	if ref.alias == "" {
		return nil, aliasNotFound()
	}
	// Deleting an alias that does not exist succeeds, as on AWS.
	if err := s.st.DeleteStateMachineAlias(ctx, *in.StateMachineAliasARN); err != nil {
		return nil, storeErr(err)
	}
	return struct{}{}, nil
}

func (s *Service) listStateMachineAliases(ctx context.Context, body []byte) (any, *Error) {
	var in ListStateMachineAliasesInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.StateMachineARN, "stateMachineArn", 1, 256)
	p := newPager("alias", in.MaxResults, in.NextToken, maxVersionsTokenLen, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := p.decode(); err != nil {
		return nil, err
	}
	arn := *in.StateMachineARN
	ref, err := parseMachineRef(arn)
	if err != nil {
		return nil, err
	}
	if ref.alias != "" {
		return nil, aliasNotFound()
	}
	if _, err := s.machine(ctx, ref.base); err != nil {
		return nil, err
	}
	if ref.version > 0 {
		if _, serr := s.st.StateMachineVersion(ctx, arn); serr != nil {
			return nil, missingAs(serr, aliasNotFound())
		}
	}
	all, serr := s.st.StateMachineAliases(ctx, ref.base)
	if serr != nil {
		return nil, storeErr(serr)
	}
	if ref.version > 0 {
		kept := all[:0]
		for _, a := range all {
			if slices.ContainsFunc(a.Routing, func(r store.RoutingRule) bool { return r.VersionARN == arn }) {
				kept = append(kept, a)
			}
		}
		all = kept
	}
	var out ListStateMachineAliasesOutput
	out.StateMachineAliases, out.NextToken = page(p, all, func(a *store.StateMachineAlias) StateMachineAliasListItem {
		return StateMachineAliasListItem{StateMachineAliasARN: a.ARN, CreationDate: Timestamp(a.CreationDate)}
	})
	return out, nil
}
