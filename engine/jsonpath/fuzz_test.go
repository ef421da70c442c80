package jsonpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"$", "$$", "$v", "$.a.b", "$['a b']", `$["x\"y"]`, "$.a[0]", "$.a[-1]", "$.a[*]", "$.a[1:3]",
		"$.a[:2:1]", "$..x", "$..*", "$..[0]", "$.a[?(@.price < 10 && @.x == 'y')]", "$.a[0,2]",
		"$['a','b']", "$$.Execution.Id", "$myVar.field", "$.a.length()", "$[?(!(@.a || $.b) && @ != null)]",
		"$[?(@.a.length() >= 2.5e3)]", `$['\u00e9\n']`, "$.a-b:c", "$.über",
	} {
		f.Add(s)
	}
	doc := []byte(`{"a":[1,{"b":"x","price":5},[2,3]],"b":{"c":null,"d":true},"x":"y"}`)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 {
			return
		}
		p, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q): bad error %#v", s, err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q, want %q", p.String(), s)
		}
		c := p.Canonical()
		q, err := Parse(c)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", c, s, err)
		}
		if q.Canonical() != c || q.IsDefinite() != p.IsDefinite() || q.IsReference() != p.IsReference() ||
			q.Root() != p.Root() || q.Variable() != p.Variable() {
			t.Fatalf("canonical %q of %q re-parses as %q", c, s, q.Canonical())
		}
		checkGet(t, p, doc)
		if p.IsReference() {
			if out, err := Set(doc, p, []byte(`{"z":1}`)); err == nil && !json.Valid(out) {
				t.Fatalf("Set(%q) gave invalid JSON %s", s, out)
			}
		}
	})
}

// checkGet runs Get and checks its result is valid JSON of the right shape.
func checkGet(t *testing.T, p *Path, doc []byte) {
	t.Helper()
	out, err := p.Get(doc)
	if err != nil {
		var nf *NotFoundError
		var ee *EvalError
		if !errors.As(err, &nf) && !errors.As(err, &ee) {
			t.Fatalf("Get(%q): unexpected error %v", p.String(), err)
		}
		if nf != nil && !p.IsDefinite() {
			t.Fatalf("Get(%q): NotFound on an indefinite path", p.String())
		}
		return
	}
	if !json.Valid(out) {
		t.Fatalf("Get(%q) on %s gave invalid JSON %s", p.String(), doc, out)
	}
	if !p.IsDefinite() && !strings.HasPrefix(string(out), "[") {
		t.Fatalf("Get(%q) indefinite gave %s", p.String(), out)
	}
}

func FuzzGet(f *testing.F) {
	f.Add("$..a", `{"a":{"a":[1,{"a":2}]}}`)
	f.Add("$[?(@.x > 1)].x", `[{"x":1},{"x":2.5},{"x":"3"},null,[]]`)
	f.Add("$.a[1:]", `{"a":[1,2,3]}`)
	f.Add("$['a','b']", `{"a":1,"b":2,"a":3}`)
	f.Add("$.a.length()", `{"a":{"k":"v"}}`)
	f.Add("$.a.sum()", `{"a":[1,2,"x",3.5e2]}`)
	f.Add("$.*[*]", ` [ [ 1 , 2 ] , { "x" : [ ] } ] `)
	f.Fuzz(func(t *testing.T, path, doc string) {
		if len(path) > 128 || len(doc) > 1024 || !json.Valid([]byte(doc)) {
			return
		}
		p, err := Parse(path)
		if err != nil {
			return
		}
		checkGet(t, p, []byte(doc))
		if p.IsReference() {
			out, err := Set([]byte(doc), p, []byte(`[7]`))
			if err != nil {
				var se *SetError
				if !errors.As(err, &se) {
					t.Fatalf("Set(%q): unexpected error %v", path, err)
				}
				return
			}
			if !json.Valid(out) {
				t.Fatalf("Set(%q) on %s gave invalid JSON %s", path, doc, out)
			}
			if got, err := p.Get(out); err != nil || string(got) != `[7]` {
				t.Fatalf("Set(%q) on %s then Get: %s, %v", path, doc, got, err)
			}
		}
	})
}

// bigDoc is a JSON object of about 256 KiB: {"items":[...], "meta":{...}, "tail":{...}}.
func bigDoc(tb testing.TB) []byte {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := 0; b.Len() < 256<<10; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"name":"item number %d","price":%d.5,"tags":["a","b","c"],"nested":{"x":%d,"y":[1,2,3]}}`, i, i, i%100, i)
	}
	b.WriteString(`],"meta":{"count":1},"tail":{"x":{"y":"end"}}}`)
	doc := []byte(b.String())
	if !json.Valid(doc) {
		tb.Fatal("bigDoc is not valid JSON")
	}
	return doc
}

func BenchmarkGet256K(b *testing.B) {
	doc := bigDoc(b)
	for _, path := range []string{"$.tail.x.y", "$.items[1000].name", "$.items[?(@.price < 2)].id", "$..y"} {
		b.Run(path, func(b *testing.B) {
			p := mustParse(b, path)
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := p.Get(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSet256K(b *testing.B) {
	doc := bigDoc(b)
	for _, path := range []string{"$.tail.x.y", "$.tail.new", "$.items[1000].name"} {
		b.Run(path, func(b *testing.B) {
			p := mustParse(b, path)
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := Set(doc, p, []byte(`{"v":1}`)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGetSimple(b *testing.B) {
	doc := []byte(`{"detail":{"order":{"id":"o-1","lines":[{"sku":"a","qty":2},{"sku":"b","qty":1}]}},"source":"shop"}`)
	p := mustParse(b, "$.detail.order.lines[1].sku")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("$.store.book[?(@.price < 10 && @.category == 'fiction')].title"); err != nil {
			b.Fatal(err)
		}
	}
}
