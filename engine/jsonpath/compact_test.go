package jsonpath

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

var compactCases = []string{
	`{}`, `[]`, ` { "a" : [ 1 , 2.5e-3 , -0 , true , false , null ] } `, `"x\"y\\z\u00e9\/"`,
	"{\"a\":\n\t{\"b\":[{}, [], \"\"]}}\r\n", `0`, `-`, `01`, `1.`, `1e`, `.5`, `[1,]`, `{"a":1,}`,
	`{"a" 1}`, `{1:2}`, `[1 2]`, `"\x"`, "\"a\tb\"", `"\u12"`, `tru`, `nul`, `[`, `]`, `{"a":[}`, ``, ` `,
	`1 2`, `"é"`, "\"\xff\"", `[[[[]]]]`, `{"a":{"b":{"c":{}}}}`, `{"":""}`, `"\ud83d\ude00"`,
}

func TestCompactMatchesEncodingJSON(t *testing.T) {
	for _, s := range compactCases {
		checkCompact(t, []byte(s))
	}
	deep := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	checkCompact(t, []byte(deep))
	checkCompact(t, []byte("["+deep+"]"))
}

func TestCompactKeepsCompactText(t *testing.T) {
	src := []byte(`{"a":[1,"b c"]}`)
	got, ok := Compact(src)
	if !ok || &got[0] != &src[0] {
		t.Fatalf("Compact of a compact text copied it or failed: %q %v", got, ok)
	}
}

func checkCompact(t *testing.T, src []byte) {
	t.Helper()
	want := json.Valid(src)
	if got := Valid(src); got != want {
		t.Fatalf("Valid(%.80q) = %v, encoding/json says %v", src, got, want)
	}
	got, ok := Compact(src)
	if ok != want {
		t.Fatalf("Compact(%.80q) ok = %v, want %v", src, ok, want)
	}
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, src); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatalf("Compact(%.80q) = %.80q, encoding/json gives %.80q", src, got, buf.Bytes())
	}
}

func FuzzCompact(f *testing.F) {
	for _, s := range compactCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkCompact(t, src)
	})
}
