package jsonpath

import (
	"bytes"
	"testing"
)

// TestGetReferenceView checks the reference-path fast path of Get: the
// same bytes as the general walk, and a result the caller may append to
// without touching the document it views.
func TestGetReferenceView(t *testing.T) {
	doc := []byte(`  {"a":{"b":[10,{"c":"x"}]},"":1,"d":[1,2]}  `)
	orig := bytes.Clone(doc)
	tests := []struct {
		path, want string
	}{
		{"$", `{"a":{"b":[10,{"c":"x"}]},"":1,"d":[1,2]}`},
		{"$.a.b[1]", `{"c":"x"}`},
		{"$.a.b[0]", `10`},
		{"$['']", `1`},
		{"$.a.b[1].c", `"x"`},
	}
	for _, tt := range tests {
		p := mustParse(t, tt.path)
		got, err := p.Get(doc)
		if err != nil || string(got) != tt.want {
			t.Fatalf("%s: got %s, %v; want %s", tt.path, got, err, tt.want)
		}
		got = append(got, "!!"...)
		if !bytes.Equal(doc, orig) {
			t.Fatalf("%s: appending to the result changed the document: %s", tt.path, doc)
		}
	}
	for _, path := range []string{"$.a.x", "$.d[2]", "$.a.b[0].c", "$.d.e"} {
		if _, err := mustParse(t, path).Get(doc); err == nil {
			t.Fatalf("%s: want a NotFoundError", path)
		} else if _, ok := err.(*NotFoundError); !ok {
			t.Fatalf("%s: error %T %v, want *NotFoundError", path, err, err)
		}
	}
}
