package jsonata

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func eval(t *testing.T, src string, vars map[string]string) (Value, error) {
	t.Helper()
	e, err := Compile(src)
	if err != nil {
		return Value{}, err
	}
	env := &Env{
		Lookup: func(name string) ([]byte, bool) {
			v, ok := vars[name]
			return []byte(v), ok
		},
		Now:    time.Date(2024, 11, 3, 4, 5, 6, 789e6, time.UTC),
		Random: func() float64 { return 0.25 },
		UUID:   func() string { return "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b" },
	}
	return e.Eval(env)
}

func TestEval(t *testing.T) {
	states := `{"input":{"a":[1,2,3],"s":"{\"x\":1}","name":"Ada"},"context":{"Execution":{"Name":"ex"}}}`
	cases := []struct{ src, want string }{
		{`$sum($states.input.a)`, `6`},
		{`$states.input.a[1]`, `2`},
		{`$states.context.Execution.Name`, `"ex"`},
		{`{'b': $x, 'n': $states.input.name}`, `{"b":{"k":[true]},"n":"Ada"}`},
		{`$partition([1,2,3,4,5], 2)`, `[[1,2],[3,4],[5]]`},
		{`$range(0, 10, 5)`, `[0,5,10]`},
		{`$range(1, 9, 9)`, `1`},
		{`$hash('input data', 'SHA-1')`, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{`$parse($states.input.s)`, `{"x":1}`},
		{`$uuid()`, `"1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"`},
		{`$random()`, `0.25`},
		{`$random(7) = $random(7)`, `true`},
		{`$now()`, `"2024-11-03T04:05:06.789Z"`},
		{`$millis()`, `1730606706789`},
		{`$base64encode('hello:world')`, `"aGVsbG86d29ybGQ="`},
		{`$base64decode('aGVsbG86d29ybGQ=')`, `"hello:world"`},
		{`$count($shuffle([1,2,3]))`, `3`},
		{`$keys({'z':1,'a':2})`, `["z","a"]`},
	}
	for _, c := range cases {
		v, err := eval(t, c.src, map[string]string{"states": states, "x": `{"k":[true]}`})
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if v.Kind != JSON || string(v.JSON) != c.want {
			t.Errorf("%s = %v %s, want %s", c.src, v.Kind, v.JSON, c.want)
		}
	}
}

func TestResultKinds(t *testing.T) {
	v, err := eval(t, `$nothing`, nil)
	if err != nil || v.Kind != Undefined {
		t.Errorf("undefined: %v %v", v, err)
	}
	v, err = eval(t, `function($x){$x}`, nil)
	if err != nil || v.Kind != Function {
		t.Errorf("function: %v %v", v, err)
	}
}

func TestErrors(t *testing.T) {
	defer func(n int) { maxSteps = n }(maxSteps)
	maxSteps = 5000
	cases := []struct{ src, code, msg string }{
		{`$x()`, "T1006", "Attempted to invoke a non-function"},
		{`1 +`, "S0207", "Unexpected end of expression"},
		{`$eval('1')`, "T1006", "Attempted to invoke a non-function"},
		{`$hash('a', 'SHA-3')`, "", "not supported"},
		{`$partition([1], 0)`, "", "positive integer"},
		{`$parse('{')`, "", "could not parse"},
		{`($f := function($n){$f($n+1)}; $f(0))`, "U1001", "timeout"},
		{`($f := function($n){1 + $f($n+1)}; $f(0))`, "U1001", "Stack overflow"},
		{`($f := function($n){$n > 0 ? $f($n-1) + $f($n-1) : 1}; $f(40))`, "U1001", "timeout"},
		{`$error('boom')`, "D3137", "boom"},
	}
	for _, c := range cases {
		_, err := eval(t, c.src, map[string]string{"x": `1`})
		var je *Error
		if !errors.As(err, &je) {
			t.Errorf("%s: error %v, want a JSONata error", c.src, err)
			continue
		}
		if je.Code != c.code || !strings.Contains(je.Message, c.msg) {
			t.Errorf("%s: %q %q, want %q containing %q", c.src, je.Code, je.Message, c.code, c.msg)
		}
	}
}

func TestVariables(t *testing.T) {
	e, err := Compile(`($y := $x + 1; $states.input.a + $y + $sum([1]))`)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(e.Variables(), ",")
	if got != "y,x,states,sum" {
		t.Errorf("Variables() = %s", got)
	}
}
