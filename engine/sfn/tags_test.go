package sfn

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/store"
)

func listTags(t *testing.T, s *Service, arn string) string {
	t.Helper()
	return mustJSON(mustInvoke(t, s, "ListTagsForResource", `{"resourceArn":"`+arn+`"}`)["tags"])
}

func TestTags(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, `"tags":[{"key":"a","value":"1"}]`))
	if got := listTags(t, s, smARN); got != `[{"key":"a","value":"1"}]` {
		t.Fatalf("tags from CreateStateMachine = %s", got)
	}
	mustInvoke(t, s, "TagResource", `{"resourceArn":"`+smARN+`","tags":[{"key":"b","value":""},{"key":"a","value":"2"}]}`)
	if got := listTags(t, s, smARN); got != `[{"key":"a","value":"2"},{"key":"b","value":""}]` {
		t.Fatalf("after TagResource = %s", got)
	}
	mustInvoke(t, s, "UntagResource", `{"resourceArn":"`+smARN+`","tagKeys":["a","missing"]}`)
	if got := listTags(t, s, smARN); got != `[{"key":"b","value":""}]` {
		t.Fatalf("after UntagResource = %s", got)
	}
	mustInvoke(t, s, "UntagResource", `{"resourceArn":"`+smARN+`","tagKeys":["b"]}`)
	if got := listTags(t, s, smARN); got != `[]` {
		t.Fatalf("after removing every tag = %s", got)
	}
	// Tagging keeps the rest of the machine as it was.
	if d := mustInvoke(t, s, "DescribeStateMachine", `{"stateMachineArn":"`+smARN+`"}`); d["definition"] != passDef {
		t.Fatalf("DescribeStateMachine after tagging = %v", d)
	}

	var fifty []string
	for i := range 50 {
		fifty = append(fifty, fmt.Sprintf(`{"key":"k%d","value":"v"}`, i))
	}
	mustInvoke(t, s, "TagResource", `{"resourceArn":"`+smARN+`","tags":[`+strings.Join(fifty, ",")+`]}`)
	// Overwriting an existing key stays within the limit.
	mustInvoke(t, s, "TagResource", `{"resourceArn":"`+smARN+`","tags":[{"key":"k0","value":"w"}]}`)
}

func TestTagErrors(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	mustInvoke(t, s, "CreateStateMachine", createBody("sm", passDef, `"publish":true`))
	mustInvoke(t, s, "CreateStateMachine", createBody("full", passDef, ""))
	full := "arn:aws:states:us-east-1:123456789012:stateMachine:full"
	var fifty []string
	for i := range 50 {
		fifty = append(fifty, fmt.Sprintf(`{"key":"k%d","value":"v"}`, i))
	}
	mustInvoke(t, s, "TagResource", `{"resourceArn":"`+full+`","tags":[`+strings.Join(fifty, ",")+`]}`)
	activity := "arn:aws:states:us-east-1:123456789012:activity:act"
	runAPICases(t, s, []apiCase{
		{"tag version", "TagResource", `{"resourceArn":"` + smARN + `:1","tags":[{"key":"a","value":"b"}]}`, CodeResourceNotFound,
			"Resource not found: '" + smARN + ":1'"},
		{"tag unknown machine", "TagResource", `{"resourceArn":"` + smARN + `x","tags":[{"key":"a","value":"b"}]}`, CodeResourceNotFound,
			"Resource not found: '" + smARN + "x'"},
		{"tag unknown activity", "TagResource", `{"resourceArn":"` + activity + `","tags":[{"key":"a","value":"b"}]}`, CodeResourceNotFound,
			"Resource not found: '" + activity + "'"},
		{"tag execution", "TagResource", `{"resourceArn":"arn:aws:states:us-east-1:123456789012:execution:sm:e","tags":[]}`, CodeInvalidArn,
			"Invalid Arn: 'Resource type not valid in this context: execution'"},
		{"tag bad arn", "TagResource", `{"resourceArn":"x","tags":[]}`, CodeInvalidArn, "Invalid Arn: 'Invalid ARN prefix: x'"},
		{"tag without tags", "TagResource", `{"resourceArn":"` + smARN + `"}`, CodeValidation,
			"1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"tag without arn", "TagResource", `{"tags":[]}`, CodeValidation,
			"1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"},
		{"tag empty key", "TagResource", `{"resourceArn":"` + smARN + `","tags":[{"key":"","value":"b"}]}`, CodeValidation,
			"1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"tag value too long", "TagResource", `{"resourceArn":"` + smARN + `","tags":[{"key":"a","value":"` + strings.Repeat("v", 257) + `"}]}`, CodeValidation,
			"1 validation error detected: Value '" + strings.Repeat("v", 257) + "' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"tag aws prefix", "TagResource", `{"resourceArn":"` + smARN + `","tags":[{"key":"aws:x","value":"b"}]}`, CodeValidation,
			"Tag keys and values may only contain letters, digits, white space and _ . : / = + - @, and keys may not start with 'aws:'"},
		{"too many tags", "TagResource", `{"resourceArn":"` + full + `","tags":[{"key":"one-more","value":"b"}]}`, CodeTooManyTags,
			"Too many tags: 51 tags were provided but at most 50 are allowed"},
		{"untag without keys", "UntagResource", `{"resourceArn":"` + smARN + `"}`, CodeValidation,
			"1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{"untag empty key", "UntagResource", `{"resourceArn":"` + smARN + `","tagKeys":[""]}`, CodeValidation,
			"1 validation error detected: Value '' at 'tagKeys.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"untag unknown machine", "UntagResource", `{"resourceArn":"` + smARN + `x","tagKeys":["a"]}`, CodeResourceNotFound,
			"Resource not found: '" + smARN + "x'"},
		{"list tags of alias", "ListTagsForResource", `{"resourceArn":"` + smARN + `:live"}`, CodeResourceNotFound,
			"Resource not found: '" + smARN + ":live'"},
		{"list tags without arn", "ListTagsForResource", `{}`, CodeValidation,
			"1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"},
	})
}

// TestTaggableKindHook shows how another resource kind plugs in: one
// entry in taggableKinds.
func TestTaggableKindHook(t *testing.T) {
	s := newTestService(Options{Virtual: true})
	var stored []string
	taggableKinds["activity"] = func(s *Service, ctx context.Context, arn string) (*taggable, *Error) {
		return &taggable{save: func(ctx context.Context, tags []store.Tag) error {
			for _, t := range tags {
				stored = append(stored, t.Key+"="+t.Value)
			}
			return nil
		}}, nil
	}
	defer delete(taggableKinds, "activity")
	mustInvoke(t, s, "TagResource", `{"resourceArn":"arn:aws:states:us-east-1:123456789012:activity:act","tags":[{"key":"a","value":"b"}]}`)
	if strings.Join(stored, ",") != "a=b" {
		t.Fatalf("activity tags saved = %v", stored)
	}
}
