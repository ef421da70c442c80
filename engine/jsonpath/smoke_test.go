package jsonpath

import "testing"

func TestSmoke(t *testing.T) {
	doc := []byte(`{"a":{"b":[1,2,{"c":"x"}]},"d e":5,"f.g":true}`)
	for _, c := range []struct{ path, want string }{
		{"$", string(doc)},
		{"$.a.b[2].c", `"x"`},
		{"$['d e']", `5`},
		{"$['f.g']", `true`},
		{"$.a.b[*]", `[1,2,{"c":"x"}]`},
		{"$..c", `["x"]`},
		{"$.a.b.length()", `3`},
	} {
		p, err := Parse(c.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Get(doc)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s, %v want %s", c.path, got, err, c.want)
		}
	}
	p, _ := Parse("$.a.b[2].z.y")
	out, err := Set(doc, p, []byte(`7`))
	t.Log(string(out), err)
	p, _ = Parse("$.a.b[1]")
	out, err = Set(doc, p, []byte(`7`))
	t.Log(string(out), err)
	p, _ = Parse("$.nope")
	_, err = p.Get(doc)
	t.Log(err)
}
