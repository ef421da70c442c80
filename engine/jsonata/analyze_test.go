package jsonata

import (
	"errors"
	"reflect"
	"testing"
)

func TestAnalyze(t *testing.T) {
	tests := []struct {
		src    string
		top    []string
		root   bool
		states []string
	}{
		{src: "phone[0]", top: []string{"phone"}},
		{src: "aaa + bbb + aaa", top: []string{"aaa", "bbb"}},
		{src: "$.phone", top: []string{"$"}},
		{src: "$$", root: true},
		{src: "$states.input.items[phone > 3]", states: []string{"input"}},
		{src: "$map($states.input.a, function($x){ $x.phone })", states: []string{"input"}},
		{src: "$map($states.input.a, function($x){ phone })", top: []string{"phone"}, states: []string{"input"}},
		{src: `{"a": x, "b": [y]}`, top: []string{"x", "y"}},
		{src: "(x).y", top: []string{"x"}},
		{src: "$x[foo > 1]"},
		{src: "$x.a^(c)"},
		{src: "$states.errorOutput.Error & $states.context.Execution.Id", states: []string{"errorOutput", "context"}},
		{src: "$sum([1, 2]) + $v", top: nil},
		{src: `"text"`},
	}
	for _, tc := range tests {
		a, err := Analyze(tc.src)
		if err != nil {
			t.Errorf("Analyze(%q): %v", tc.src, err)
			continue
		}
		if !reflect.DeepEqual(a.TopLevel, tc.top) || a.Root != tc.root || !reflect.DeepEqual(a.StatesFields, tc.states) {
			t.Errorf("Analyze(%q) = %+v, want top %v root %v states %v", tc.src, a, tc.top, tc.root, tc.states)
		}
	}
}

func TestAnalyzeSyntaxError(t *testing.T) {
	_, err := Analyze("a[1,2)")
	var je *Error
	if !errors.As(err, &je) || je.Code != "S0202" || je.Message != `Expected "]", got ","` {
		t.Fatalf("Analyze syntax error = %#v", err)
	}
}

func TestAnalyzeFree(t *testing.T) {
	tests := map[string][]string{
		"$x + $y.a + $x":                          {"x", "y"},
		"$sum($states.input.a) + $count($v)":      {"sum", "states", "count", "v"},
		"($a := 1; $a + $b)":                      {"b"},
		"$map($list, function($i){ $i + $bias })": {"map", "list", "bias"},
		"1": nil,
	}
	for src, want := range tests {
		a, err := Analyze(src)
		if err != nil {
			t.Errorf("Analyze(%q): %v", src, err)
			continue
		}
		if !reflect.DeepEqual(a.Free, want) {
			t.Errorf("Analyze(%q).Free = %q, want %q", src, a.Free, want)
		}
	}
	if !IsFunction("sum") || !IsFunction("partition") || IsFunction("bias") {
		t.Error("IsFunction")
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"phone[0]", "$states.input.a[b > 1]", "($x := 1; $x)", "function($a){ $a }", "a[1,2)", "$$", "{\"a\": [1, x]}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<10 {
			return
		}
		a, err := Analyze(src)
		if err != nil {
			var je *Error
			if !errors.As(err, &je) {
				t.Fatalf("Analyze(%q) error %v is not an *Error", src, err)
			}
			return
		}
		if _, err := Compile(src); err != nil {
			t.Fatalf("Analyze accepted %q but Compile failed: %v", src, err)
		}
		_ = a
	})
}
