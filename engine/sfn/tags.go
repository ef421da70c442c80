package sfn

import (
	"context"
	"fmt"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

func init() {
	operations["TagResource"] = (*Service).tagResource
	operations["UntagResource"] = (*Service).untagResource
	operations["ListTagsForResource"] = (*Service).listTagsForResource
}

// Tag limits from the API reference.
const (
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// TagResourceInput is the TagResource request.
type TagResourceInput struct {
	ResourceARN *string `json:"resourceArn"`
	Tags        []Tag   `json:"tags"`
}

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	ResourceARN *string  `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// ListTagsForResourceInput is the ListTagsForResource request.
type ListTagsForResourceInput struct {
	ResourceARN *string `json:"resourceArn"`
}

// ListTagsForResourceOutput is the ListTagsForResource response.
type ListTagsForResourceOutput struct {
	Tags []Tag `json:"tags"`
}

// taggable is a resource that carries tags: its current tags and how to
// store a new set.
type taggable struct {
	tags []store.Tag
	save func(ctx context.Context, tags []store.Tag) error
}

// taggableKinds maps the resource type of an ARN (its sixth field) to the
// lookup of resources of that kind. The tagging operations accept the
// ARNs of state machines and activities; a kind with no entry here, and a
// lookup that finds nothing, answer ResourceNotFound. Activities register
// themselves with taggableKinds["activity"] = ... in their init.
var taggableKinds = map[string]func(s *Service, ctx context.Context, arn string) (*taggable, *Error){
	"stateMachine": (*Service).taggableStateMachine,
}

// taggableResourceTypes are the ARN resource types TagResource accepts
// at all; others are InvalidArn.
var taggableResourceTypes = []string{"stateMachine", "activity"}

func resourceNotFound(arn string) *Error {
	return errorf(CodeResourceNotFound, "Resource not found: '%s'", arn)
}

// taggableStateMachine finds a state machine for tagging. Versions and
// aliases carry no tags of their own: their ARNs are ResourceNotFound, as
// on AWS.
func (s *Service) taggableStateMachine(ctx context.Context, arn string) (*taggable, *Error) {
	m, err := s.st.StateMachine(ctx, arn)
	if err != nil {
		return nil, missingAs(err, resourceNotFound(arn))
	}
	return &taggable{tags: m.Tags, save: func(ctx context.Context, tags []store.Tag) error {
		m.Tags = tags
		return s.st.PutStateMachine(ctx, m)
	}}, nil
}

// taggableResource finds the resource an ARN names, by its kind.
func (s *Service) taggableResource(ctx context.Context, arn string) (*taggable, *Error) {
	p, err := parseARN(arn, taggableResourceTypes...)
	if err != nil {
		return nil, err
	}
	lookup, ok := taggableKinds[p.resourceType]
	if !ok {
		return nil, resourceNotFound(arn)
	}
	return lookup(s, ctx, arn)
}

// tooManyTags is AWS's TooManyTags for a resource that would carry n tags.
func tooManyTags(n int) *Error {
	return errorf(CodeTooManyTags, "Too many tags: %d tags were provided but at most %d are allowed", n, maxTags)
}

// checkTags validates a request's tags as CreateStateMachine does: the
// lengths as ValidationException violations, then the count
// (TooManyTags) and the characters, returned as an error.
func checkTags(tags []Tag, v *violations) func() *Error {
	checkTagLengths(tags, v)
	return func() *Error {
		if len(tags) > maxTags {
			return tooManyTags(len(tags))
		}
		return checkTagChars(tags)
	}
}

// checkTagLengths adds the violations of the tags' key and value lengths
// to v.
func checkTagLengths(tags []Tag, v *violations) {
	for i, t := range tags {
		v.length(t.Key, fmt.Sprintf("tags.%d.member.key", i+1), 1, maxTagKeyLen)
		v.length(t.Value, fmt.Sprintf("tags.%d.member.value", i+1), 0, maxTagValueLen)
	}
}

// checkTagChars rejects tags with characters AWS does not allow or a key
// in the reserved aws: namespace.
func checkTagChars(tags []Tag) *Error {
	for _, t := range tags {
		if !tagCharsOK(t.Key) || !tagCharsOK(t.Value) || strings.HasPrefix(t.Key, "aws:") {
			return errorf(CodeValidation, "Tag keys and values may only contain letters, digits, white space and _ . : / = + - @, and keys may not start with 'aws:'")
		}
	}
	return nil
}

// tagCharsOK reports whether a tag key or value uses only the characters
// AWS allows: letters, digits, white space and _ . : / = + - @.
func tagCharsOK(s string) bool {
	for _, r := range s {
		if !(r == ' ' || r == '_' || r == '.' || r == ':' || r == '/' || r == '=' || r == '+' || r == '-' || r == '@' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f) {
			return false
		}
	}
	return true
}

// storeTags converts a request's tags for the store (nil for none).
func storeTags(tags []Tag) []store.Tag {
	var out []store.Tag
	for _, t := range tags {
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func (s *Service) tagResource(ctx context.Context, body []byte) (any, *Error) {
	var in TagResourceInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.ResourceARN, "resourceArn", 1, 256)
	if in.Tags == nil {
		v.null("tags")
	}
	checkTagLengths(in.Tags, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := checkTagChars(in.Tags); err != nil {
		return nil, err
	}
	r, err := s.taggableResource(ctx, *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	// A key already present takes the new value; new keys are appended
	// in the order given.
	tags := r.tags
	for _, t := range in.Tags {
		found := false
		for i := range tags {
			if tags[i].Key == t.Key {
				tags[i].Value, found = t.Value, true
				break
			}
		}
		if !found {
			tags = append(tags, store.Tag{Key: t.Key, Value: t.Value})
		}
	}
	if len(tags) > maxTags {
		return nil, tooManyTags(len(tags))
	}
	if err := r.save(ctx, tags); err != nil {
		return nil, storeErr(err)
	}
	return struct{}{}, nil
}

func (s *Service) untagResource(ctx context.Context, body []byte) (any, *Error) {
	var in UntagResourceInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.ResourceARN, "resourceArn", 1, 256)
	if in.TagKeys == nil {
		v.null("tagKeys")
	}
	for i, k := range in.TagKeys {
		v.length(k, fmt.Sprintf("tagKeys.%d.member", i+1), 1, maxTagKeyLen)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	r, err := s.taggableResource(ctx, *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	var kept []store.Tag
	for _, t := range r.tags {
		remove := false
		for _, k := range in.TagKeys {
			remove = remove || k == t.Key
		}
		if !remove {
			kept = append(kept, t)
		}
	}
	if err := r.save(ctx, kept); err != nil {
		return nil, storeErr(err)
	}
	return struct{}{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, body []byte) (any, *Error) {
	var in ListTagsForResourceInput
	if err := decodeRequest(body, &in); err != nil {
		return nil, err
	}
	if err := requireARN(in.ResourceARN, "resourceArn"); err != nil {
		return nil, err
	}
	r, err := s.taggableResource(ctx, *in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := ListTagsForResourceOutput{Tags: make([]Tag, len(r.tags))}
	for i, t := range r.tags {
		out.Tags[i] = Tag{Key: t.Key, Value: t.Value}
	}
	return out, nil
}
