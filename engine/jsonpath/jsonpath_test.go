package jsonpath

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const store = `{
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10
}`

func mustParse(t testing.TB, s string) *Path {
	t.Helper()
	p, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return p
}

func TestGet(t *testing.T) {
	misc := `{"a":{"b":[1,2,{"c":"x"}]},"d e":5,"f.g":true,"a-b":1,"a:b":2,"über":3,"n":null,
	"nums":[1,1.0,10,2.50,-3,1e2],"s":"str","it's":4,"q\"q":6,"*":7,"#":8,"@x":9,"a|b":10,"":11,
	"obj":{"x":1,"y":{"x":2,"z":[{"x":3}]}},"mixed":[{"v":1},{"v":"1"},{"v":true},{"v":null},{"w":1},{"v":[1]},{"v":{"k":1}}]}`
	tests := []struct {
		doc, path, want string
	}{
		// Root and fields.
		{misc, "$.a.b", `[1,2,{"c":"x"}]`},
		{misc, "$['d e']", `5`},
		{misc, `$["d e"]`, `5`},
		{misc, "$['f.g']", `true`},
		{misc, "$.a-b", `1`},
		{misc, "$.a:b", `2`},
		{misc, "$.über", `3`},
		{misc, "$.n", `null`},
		{misc, "$['it\\'s']", `4`},
		{misc, `$["it's"]`, `4`},
		{misc, `$['q"q']`, `6`},
		{misc, `$["q\"q"]`, `6`},
		{misc, "$['*']", `7`},
		{misc, "$['#']", `8`},
		{misc, "$['@x']", `9`},
		{misc, "$['a|b']", `10`},
		{misc, "$['']", `11`},
		{misc, "$.['d e']", `5`},
		{misc, "$.nums", `[1,1.0,10,2.50,-3,1e2]`},
		// Indexes.
		{misc, "$.a.b[0]", `1`},
		{misc, "$.a.b[2].c", `"x"`},
		{misc, "$.a.b[-1]", `{"c":"x"}`},
		{misc, "$.a.b[-3]", `1`},
		{misc, "$.nums[5]", `1e2`},
		// Wildcards.
		{misc, "$.a.b[*]", `[1,2,{"c":"x"}]`},
		{misc, "$.a.b.*", `[1,2,{"c":"x"}]`},
		{misc, "$.obj.*", `[1,{"x":2,"z":[{"x":3}]}]`},
		{misc, "$.obj[*].x", `[2]`},
		{misc, "$.s[*]", `[]`},
		{store, "$.store.book[*].author", `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`},
		{store, "$.store.bicycle.*", `["red",19.95]`},
		// Slices (Jayway ignores a step part).
		{misc, "$.nums[1:3]", `[1.0,10]`},
		{misc, "$.nums[:2]", `[1,1.0]`},
		{misc, "$.nums[4:]", `[-3,1e2]`},
		{misc, "$.nums[-2:]", `[-3,1e2]`},
		{misc, "$.nums[:-4]", `[1,1.0]`},
		{misc, "$.nums[0:100]", `[1,1.0,10,2.50,-3,1e2]`},
		{misc, "$.nums[3:1]", `[]`},
		{misc, "$.nums[0:-1]", `[]`},
		// Jayway resolves a negative start of [from:to] per index, so it wraps around.
		{misc, "$.nums[-2:6]", `[-3,1e2,1,1.0,10,2.50,-3,1e2]`},
		{misc, "$.nums[-9:2]", `[1,1.0,10,2.50,-3,1e2,1,1.0]`},
		{misc, "$.nums[0:4:2]", `[1,1.0,10,2.50]`},
		{misc, "$.nums[10:]", `[]`},
		{misc, "$.s[0:1]", `[]`},
		// Unions.
		{misc, "$.nums[0,2]", `[1,10]`},
		{misc, "$.nums[2,0,9,-1]", `[10,1,1e2]`},
		{misc, "$['d e','f.g']", `{"d e":5,"f.g":true}`},
		{misc, "$['d e','missing']", `{"d e":5}`},
		{misc, "$['obj','a']['x']", `[1]`},
		{misc, "$.obj['x','y']", `{"x":1,"y":{"x":2,"z":[{"x":3}]}}`},
		// Descendants.
		{misc, "$.obj..x", `[1,2,3]`},
		{store, "$..author", `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`},
		{store, "$.store..price", `[8.95,12.99,8.99,22.99,19.95]`},
		{store, "$..book[2].title", `["Moby Dick"]`},
		{store, "$..book[-1:].title", `["The Lord of the Rings"]`},
		{store, "$..book[0,1].price", `[8.95,12.99]`},
		{misc, "$.obj..*", `[1,{"x":2,"z":[{"x":3}]},2,[{"x":3}],{"x":3},3]`},
		{misc, "$.a..[0]", `[1]`},
		{store, "$..book[?(@.isbn)].title", `["Moby Dick","The Lord of the Rings"]`},
		{store, "$..[?(@.price > 19)].price", `[22.99,19.95]`},
		{misc, "$..nothing", `[]`},
		// Filters.
		{store, "$.store.book[?(@.price < 10)].title", `["Sayings of the Century","Moby Dick"]`},
		{store, "$.store.book[?(@.price <= 8.99)].price", `[8.95,8.99]`},
		{store, "$.store.book[?(@.price > 20)].price", `[22.99]`},
		{store, "$.store.book[?(@.price >= 22.99)].price", `[22.99]`},
		{store, "$.store.book[?(@.category == 'reference')].author", `["Nigel Rees"]`},
		{store, `$.store.book[?(@.category == "reference")].author`, `["Nigel Rees"]`},
		{store, "$.store.book[?(@.category != 'fiction')].author", `["Nigel Rees"]`},
		{store, "$.store.book[?(@.price < 10 && @.category == 'fiction')].title", `["Moby Dick"]`},
		{store, "$.store.book[?(@.price < 9 || @.price > 20)].price", `[8.95,8.99,22.99]`},
		{store, "$.store.book[?((@.price < 9 || @.price > 20) && @.isbn)].price", `[8.99,22.99]`},
		{store, "$.store.book[?(!@.isbn)].price", `[8.95,12.99]`},
		{store, "$.store.book[?(@.price < $.expensive)].price", `[8.95,8.99]`},
		{store, "$.store.book[?(@.author > 'I')].author", `["Nigel Rees","J. R. R. Tolkien"]`},
		{store, "$.store.book[?(@.isbn)].isbn", `["0-553-21311-3","0-395-19395-8"]`},
		{store, "$.store.book[?(@['price'] == 8.95)].author", `["Nigel Rees"]`},
		{store, "$.store.bicycle[?(@.color == 'red')].price", `[19.95]`},
		{store, "$.store.bicycle[?(@.color == 'blue')]", `[]`},
		{misc, "$.nums[?(@ == 1)]", `[1,1.0]`},
		{misc, "$.nums[?(@ == 100)]", `[1e2]`},
		{misc, "$.nums[?(@ > 2.5)]", `[10,1e2]`},
		{misc, "$.nums[?(@ < -2)]", `[-3]`},
		// Jayway's == compares a number and a string as numbers (number on the left) or as
		// text (string on the left).
		{misc, "$.mixed[?(@.v == 1)]", `[{"v":1},{"v":"1"}]`},
		{misc, "$.mixed[?(@.v == '1')]", `[{"v":1},{"v":"1"}]`},
		{misc, "$.mixed[?(@.v == '1.0')]", `[{"v":1}]`},
		{misc, "$.mixed[?(@.v == true)]", `[{"v":true}]`},
		{misc, "$.mixed[?(@.v == null)]", `[{"v":null}]`},
		{misc, "$.mixed[?(@.v)]", `[{"v":1},{"v":"1"},{"v":true},{"v":null},{"v":[1]},{"v":{"k":1}}]`},
		{misc, "$.mixed[?(@.v != 1)]", `[{"v":true},{"v":null},{"w":1},{"v":[1]},{"v":{"k":1}}]`},
		{misc, "$.mixed[?(@.v > 0)]", `[{"v":1}]`},
		{misc, "$.mixed[?(@.v.k == 1)]", `[{"v":{"k":1}}]`},
		{misc, "$.mixed[?(@.v[0] == 1)]", `[{"v":[1]}]`},
		{misc, "$.mixed[?(@.v.length() == 1)].v", `[[1],{"k":1}]`},
		{misc, "$.nums[?(@ == 1e0)]", `[1,1.0]`},
		// Functions.
		{misc, "$.a.b.length()", `3`},
		{misc, "$.obj.length()", `2`},
		{misc, "$.s.length()", `null`},
		{misc, "$.nums.sum()", `111.5`},
		{misc, "$.nums.min()", `-3.0`},
		{misc, "$.nums.max()", `100.0`},
		{misc, "$.nums[0:3].length()", `[null,null,null]`},
		{misc, "$.mixed[*].v.length()", `[null,null,null,null,1,1]`},
		{`{"a":[2,4]}`, "$.a.avg()", `3.0`},
		{`{"a":[2,4]}`, "$.a.stddev()", `1.0`},
		{`{"a":[1e7,1]}`, "$.a.sum()", `1.0000001E7`},
		// Root.
		{`  {"a":1} `, "$", `{"a":1}`},
		{`[1,2]`, "$[1]", `2`},
		{`[1,2]`, "$$[0]", `1`},
		{`{"x":{"y":1}}`, "$var.x.y", `1`},
		{`"s"`, "$", `"s"`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, err := mustParse(t, tc.path).Get([]byte(tc.doc))
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	doc := `{"a":{"b":[1,2]},"s":"x","n":null,"o":{"0":1}}`
	tests := []struct{ path, jayway string }{
		{"$.NoSuchInputPath", "$['NoSuchInputPath']"},
		{"$.a.c", "$['a']['c']"},
		{"$.a.b[5]", "$['a']['b'][5]"},
		{"$.a.b[-3]", "$['a']['b'][-3]"},
		{"$.s.x", "$['s']['x']"},
		{"$.s[0]", "$['s'][0]"},
		{"$.n.x", "$['n']['x']"},
		{"$.a[0]", "$['a'][0]"},
		{"$.o[0]", "$['o'][0]"},
		{"$.a.b['0']", "$['a']['b']['0']"},
		{`$["x'y"]`, `$["x\'y"]`},
		{`$.x\y`, `$['x\\y']`},
		{"$.a.x.length()", "$['a']['x'].length()"},
		{"$$.Execution.Id", "$['Execution']['Id']"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p := mustParse(t, tc.path)
			got, err := p.Get([]byte(doc))
			var nf *NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("got %s, %v; want *NotFoundError", got, err)
			}
			if nf.Path != tc.path || nf.Jayway() != tc.jayway {
				t.Errorf("got Path %q Jayway %q, want %q %q", nf.Path, nf.Jayway(), tc.path, tc.jayway)
			}
			if want := "No results for path: " + tc.jayway; nf.Error() != want {
				t.Errorf("Error() = %q, want %q", nf.Error(), want)
			}
		})
	}
}

func TestGetFunctionError(t *testing.T) {
	for _, path := range []string{"$.a.sum()", "$.s.max()", "$.e.avg()"} {
		_, err := mustParse(t, path).Get([]byte(`{"a":["x"],"s":"s","e":[]}`))
		var ee *EvalError
		if !errors.As(err, &ee) || ee.Path != path {
			t.Errorf("%s: got %v, want *EvalError", path, err)
		}
	}
}

func TestParseAccessors(t *testing.T) {
	tests := []struct {
		path                     string
		root                     Root
		variable                 string
		isRoot, isRef, isDefinit bool
	}{
		{"$", RootInput, "", true, true, true},
		{"$$", RootContext, "", true, true, true},
		{"$myVar", RootVariable, "myVar", true, true, true},
		{"$my_Var2.field[0]", RootVariable, "my_Var2", false, true, true},
		{"$$.Execution.Id", RootContext, "", false, true, true},
		{"$.a.b", RootInput, "", false, true, true},
		{"$['a b'][3]", RootInput, "", false, true, true},
		{"$.a[-1]", RootInput, "", false, false, true},
		{"$.a[*]", RootInput, "", false, false, false},
		{"$.a.*", RootInput, "", false, false, false},
		{"$.a[1:2]", RootInput, "", false, false, false},
		{"$.a[0,1]", RootInput, "", false, false, false},
		{"$['a','b']", RootInput, "", false, false, true},
		{"$['a','b'].c", RootInput, "", false, false, false},
		{"$..a", RootInput, "", false, false, false},
		{"$.a[?(@.x)]", RootInput, "", false, false, false},
		{"$.a.length()", RootInput, "", false, false, true},
		{"$.a[*].length()", RootInput, "", false, false, false},
	}
	for _, tc := range tests {
		p := mustParse(t, tc.path)
		if p.String() != tc.path || p.Root() != tc.root || p.Variable() != tc.variable ||
			p.IsRoot() != tc.isRoot || p.IsReference() != tc.isRef || p.IsDefinite() != tc.isDefinit {
			t.Errorf("%s: got root %v var %q isRoot %v isRef %v definite %v", tc.path,
				p.Root(), p.Variable(), p.IsRoot(), p.IsReference(), p.IsDefinite())
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		path   string
		offset int
	}{
		{"", 0},
		{"a.b", 0},
		{"$.", 1},
		{"$.a.", 3},
		{"$..", 1},
		{"$...a", 3},
		{"$a b", 2},
		{"$.a b", 3},
		{"$[", 1},
		{"$[0", 3},
		{"$['a'", 5},
		{"$['a", 2},
		{"$[a]", 2},
		{"$[:]", 2},
		{"$[1:2:3:4]", 2},
		{"$[1,2:3]", 2},
		{"$[99999999999]", 2},
		{"$[1x]", 3},
		{"$['a',]", 6},
		{"$.a.foo()", 4},
		{"$.length().a", 10},
		{"$.a.length(1)", 11},
		{"$[?(@.a ==)]", 10},
		{"$[?(@.a == 1]", 12},
		{"$[?(@.a =~ /x/)]", 8},
		{"$[?(1)]", 4},
		{"$[?(@.a == 1 &&)]", 15},
		{"$[?(@.a == 'x)]", 11},
		{"$[?(@.a == 1.)]", 11},
		{"$[?@.a]", 3},
		{"$[?(" + strings.Repeat("(", 100) + "@.a" + strings.Repeat(")", 100) + ")]", 68},
		{"$[?(" + strings.Repeat("!", 100) + "@.a)]", 68},
		{`$['\u12']`, 3},
		{"$.a\xff", 3},
		{"$.a\xffb", 3},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p, err := Parse(tc.path)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, %v; want *SyntaxError", p, err)
			}
			if se.Path != tc.path || se.Offset != tc.offset || se.Msg == "" {
				t.Errorf("got %+v, want offset %d", se, tc.offset)
			}
			if !strings.Contains(se.Error(), se.Msg) {
				t.Errorf("Error() %q lacks the message", se.Error())
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ path, want string }{
		{"$", "$"},
		{"$$.Execution.Id", "$$['Execution']['Id']"},
		{"$v.a", "$v['a']"},
		{`$["it's"].b[0][-1]`, `$['it\'s']['b'][0][-1]`},
		{"$.a[*].b.*", "$['a'][*]['b'][*]"},
		{"$['a','b'][0,2][1:][:2][1:3:2]", "$['a','b'][0,2][1:][:2][1:3:2]"},
		{"$..a..*..[0]", "$..['a']..[*]..[0]"},
		{"$.a[?(@.x < 1 && (@.y == 'z' || !@.w) || $.q)]", "$['a'][?(((@['x'] < 1 && (@['y'] == 'z' || !(@['w']))) || $['q']))]"},
		{"$.a[?(@ == null && @.b != true)].length()", "$['a'][?((@ == null && @['b'] != true))].length()"},
	}
	for _, tc := range tests {
		p := mustParse(t, tc.path)
		if got := p.Canonical(); got != tc.want {
			t.Errorf("%s: Canonical() = %s, want %s", tc.path, got, tc.want)
		}
		if again := mustParse(t, p.Canonical()).Canonical(); again != tc.want {
			t.Errorf("%s: re-parsed canonical = %s", tc.path, again)
		}
	}
}

func TestSet(t *testing.T) {
	doc := `{"a":{"b":[1,2,{"c":"x"}]},"e":{},"s":"x", "sp" : { "k" : 1 } }`
	tests := []struct{ path, value, want string }{
		{"$", `{"new":1}`, `{"new":1}`},
		{"$.a", `5`, `{"a":5,"e":{},"s":"x", "sp" : { "k" : 1 } }`},
		{"$.a.b[1]", `"two"`, `{"a":{"b":[1,"two",{"c":"x"}]},"e":{},"s":"x", "sp" : { "k" : 1 } }`},
		{"$.a.b[2].c", `[true]`, `{"a":{"b":[1,2,{"c":[true]}]},"e":{},"s":"x", "sp" : { "k" : 1 } }`},
		{"$.new", `1`, `{"a":{"b":[1,2,{"c":"x"}]},"e":{},"s":"x", "sp" : { "k" : 1 } ,"new":1}`},
		{"$.e.x.y", `null`, `{"a":{"b":[1,2,{"c":"x"}]},"e":{"x":{"y":null}},"s":"x", "sp" : { "k" : 1 } }`},
		{"$.sp.k", `2`, `{"a":{"b":[1,2,{"c":"x"}]},"e":{},"s":"x", "sp" : { "k" : 2 } }`},
		{"$['we.ird']['0']", `1`, `{"a":{"b":[1,2,{"c":"x"}]},"e":{},"s":"x", "sp" : { "k" : 1 } ,"we.ird":{"0":1}}`},
		{`$['q"']`, `1`, `{"a":{"b":[1,2,{"c":"x"}]},"e":{},"s":"x", "sp" : { "k" : 1 } ,"q\"":1}`},
		{"$.a.b[2].new", `0`, `{"a":{"b":[1,2,{"c":"x","new":0}]},"e":{},"s":"x", "sp" : { "k" : 1 } }`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			in := []byte(doc)
			got, err := Set(in, mustParse(t, tc.path), []byte(tc.value))
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if string(in) != doc {
				t.Errorf("doc modified: %s", in)
			}
			// What was set reads back.
			back, err := mustParse(t, tc.path).Get(got)
			if err != nil || string(back) != tc.value {
				t.Errorf("read back %s, %v; want %s", back, err, tc.value)
			}
		})
	}
	// Into an array root and an empty object root.
	if got, err := Set([]byte(`[1,2]`), mustParse(t, "$[0]"), []byte(`3`)); err != nil || string(got) != `[3,2]` {
		t.Errorf("array root: %s, %v", got, err)
	}
	if got, err := Set([]byte(` { } `), mustParse(t, "$.a.b"), []byte(`3`)); err != nil || string(got) != ` { "a":{"b":3}} ` {
		t.Errorf("empty root: %s, %v", got, err)
	}
}

func TestSetErrors(t *testing.T) {
	doc := `{"a":{"b":[1,2]},"s":"x","n":null}`
	for _, path := range []string{
		"$.s.x", "$.n.x", "$.a.b.x", "$.a[0]", "$.a.b[2]", "$.a.b[5].x", "$.missing[0]", "$.missing.x[0]",
		"$.a.b[-1]", "$.a[*]", "$..a", "$.a.b[0,1]", "$.a.b[0:1]", "$.a[?(@)]", "$['a','s']", "$.a.length()",
	} {
		got, err := Set([]byte(doc), mustParse(t, path), []byte(`1`))
		var se *SetError
		if !errors.As(err, &se) || se.Path != path || se.Msg == "" {
			t.Errorf("%s: got %s, %v; want *SetError", path, got, err)
		}
	}
	if _, err := Set([]byte(`"x"`), mustParse(t, "$.a"), []byte(`1`)); err == nil {
		t.Errorf("set into a string root: no error")
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		6: "6.0", 0.5: "0.5", -2.25: "-2.25", 1e7: "1.0E7", 1.5e-4: "1.5E-4", 0.001: "0.001",
		1234567.5: "1234567.5", 0: "0.0", 1e21: "1.0E21", 123456789: "1.23456789E8",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %s, want %s", f, got, want)
		}
	}
}

func ExamplePath_Get() {
	doc := []byte(`{"items":[{"id":1,"price":5},{"id":2,"price":15}],"owner":{"name":"Ann"}}`)
	for _, s := range []string{"$.owner.name", "$.items[?(@.price < 10)].id", "$.items.length()"} {
		p, err := Parse(s)
		if err != nil {
			panic(err)
		}
		v, err := p.Get(doc)
		fmt.Println(s, "=>", string(v), err)
	}
	p, _ := Parse("$.owner.age")
	out, _ := Set(doc, p, []byte(`42`))
	fmt.Println(string(out))
	_, err := p.Get(doc)
	fmt.Println(err)
	// Output:
	// $.owner.name => "Ann" <nil>
	// $.items[?(@.price < 10)].id => [1] <nil>
	// $.items.length() => 2 <nil>
	// {"items":[{"id":1,"price":5},{"id":2,"price":15}],"owner":{"name":"Ann","age":42}}
	// No results for path: $['owner']['age']
}
