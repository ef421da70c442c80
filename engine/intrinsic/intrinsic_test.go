package intrinsic

import (
	"errors"
	"strings"
	"testing"
)

// evalCase is one evaluation: the call, the state input, and either the JSON
// result or the cause of the *Error.
type evalCase struct {
	call  string
	input string
	want  string
	cause string // when set, Eval must fail with States.Runtime and this cause
}

func testEnv(input string) *Env {
	return &Env{
		Input:   []byte(input),
		Context: []byte(`{"Execution":{"Name":"exec-1","Input":{"csv":"a,b"}},"StateMachine":{"Id":"arn:sm","Name":"sm-name"}}`),
		Variable: func(name string) ([]byte, bool) {
			switch name {
			case "varname":
				return []byte(`"v"`), true
			case "obj":
				return []byte(`{"n":5}`), true
			}
			return nil, false
		},
		UUID:   func() string { return "11111111-2222-4333-8444-555555555555" },
		Random: func(lo, hi int64) int64 { return lo },
	}
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.call, func(t *testing.T) {
			c, err := Parse(tc.call)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			input := tc.input
			if input == "" {
				input = "{}"
			}
			got, err := c.Eval(testEnv(input))
			if tc.cause != "" {
				var ie *Error
				if !errors.As(err, &ie) {
					t.Fatalf("got %s, %v; want *Error", got, err)
				}
				if ie.Name != "States.Runtime" || ie.Cause != tc.cause {
					t.Fatalf("got error\n  %s: %s\nwant\n  States.Runtime: %s", ie.Name, ie.Cause, tc.cause)
				}
				return
			}
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if string(got) != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// invalid is AWS's cause for bad arguments of call.
func invalid(call, fn string) string {
	return "The function '" + call + "' had the following error: Invalid arguments in " + fn
}

func TestFormat(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.Format('Formatting argument {}.', $.FunctionInput)`, input: `{"FunctionInput":""}`, want: `"Formatting argument ."`},
		{call: `States.Format('Formatting argument {}.', $.FunctionInput)`, input: `{"FunctionInput":1}`, want: `"Formatting argument 1."`},
		{call: `States.Format('a={} b={}', $.a, $.b)`, input: `{"a":null,"b":1.1}`, want: `"a=null b=1.1"`},
		{call: `States.Format('{}', $.s)`, input: `{"s":"{\"Arg1\": 1, \"Arg2\": []}"}`, want: `"{\"Arg1\": 1, \"Arg2\": []}"`},
		{call: `States.Format('x={} y={}.', $$.Execution.Name, $$.StateMachine)`, want: `"x=exec-1 y={Id=arn:sm, Name=sm-name}."`},
		{call: `States.Format('{}', $.arr)`, input: `{"arr":[1,"a",[true],{"k":null}]}`, want: `"[1, a, [true], {k=null}]"`},
		{call: `States.Format('Format:{}', 101)`, want: `"Format:101"`},
		{call: `States.Format('{} {} {} {} {} {}', 1.50, 2e3, 1e7, 0.0001, -0.0, 123456789012345678901)`, want: `"1.5 2000.0 1.0E7 1.0E-4 -0.0 123456789012345678901"`},
		{call: `States.Format('{} {}', true, null)`, want: `"true null"`},
		{call: `States.Format('Format Func {}', $varname)`, want: `"Format Func v"`},
		{call: `States.Format('esc \{\} \' \\ {}', 'x')`, want: `"esc {} ' \\ x"`},
		{call: `States.Format('no placeholders')`, want: `"no placeholders"`},
		{call: `States.Format('<&> é {}', '"q"')`, want: `"<&> é \"q\""`},
		{call: `States.Format($.tpl, 1)`, input: `{"tpl":"n={}"}`, want: `"n=1"`},
		{call: `States.Format('{}', States.Format('{}', $.a))`, input: `{"a":"in"}`, want: `"in"`},
		{call: `States.Format($.tpl, 1)`, input: `{"tpl":"n={} {}"}`, cause: invalid(`States.Format($.tpl, 1)`, "States.Format")},
		{call: `States.Format($.tpl, 1)`, input: `{"tpl":"n={"}`, cause: invalid(`States.Format($.tpl, 1)`, "States.Format")},
		{call: `States.Format($.tpl)`, input: `{"tpl":5}`, cause: invalid(`States.Format($.tpl)`, "States.Format")},
		{call: `States.Format('{}', $.nope)`, input: `{"other":1}`,
			cause: `The function 'States.Format('{}', $.nope)' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'`},
		{call: `States.Format('{}',$.nope)`, input: `{"other":1}`,
			cause: `The function 'States.Format('{}',$.nope)' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'`},
		{call: `States.Format('{}', States.Format('{}', $.nope))`, input: `{"other":1}`,
			cause: `The function 'States.Format('{}', States.Format('{}', $.nope))' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'`},
		{call: `States.Format('{}', $$.Nope.Deep)`, input: `{"other":1}`,
			cause: `The function 'States.Format('{}', $$.Nope.Deep)' had the following error: The JsonPath argument for the field '$.Nope.Deep' could not be found in the input '{"other":1}'`},
		{call: `States.Format('{}', $nosuchvar)`, input: `{}`,
			cause: `The function 'States.Format('{}', $nosuchvar)' had the following error: The JsonPath argument for the field '$nosuchvar' could not be found in the input '{}'`},
	})
}

func TestStringToJson(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.StringToJson($.s)`, input: `{"s":" "}`, want: `null`},
		{call: `States.StringToJson($.s)`, input: `{"s":"null"}`, want: `null`},
		{call: `States.StringToJson($.s)`, input: `{"s":"-0"}`, want: `0`},
		{call: `States.StringToJson($.s)`, input: `{"s":"true"}`, want: `true`},
		{call: `States.StringToJson($.s)`, input: `{"s":"\"HelloWorld\""}`, want: `"HelloWorld"`},
		{call: `States.StringToJson($.s)`, input: `{"s":"[1, 2, \"HelloWorld\"]"}`, want: `[1,2,"HelloWorld"]`},
		{call: `States.StringToJson($.s)`, input: `{"s":"{\"b\": 1, \"a\": []}"}`, want: `{"b":1,"a":[]}`},
		{call: `States.StringToJson('{"a":1}')`, want: `{"a":1}`},
		{call: `States.StringToJson($.s)`, input: `{"s":"{bad"}`, cause: invalid(`States.StringToJson($.s)`, "States.StringToJson")},
		{call: `States.StringToJson($.s)`, input: `{"s":5}`, cause: invalid(`States.StringToJson($.s)`, "States.StringToJson")},
	})
}

func TestJsonToString(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.JsonToString($.v)`, input: `{"v":0}`, want: `"0"`},
		{call: `States.JsonToString($.v)`, input: `{"v":true}`, want: `"true"`},
		{call: `States.JsonToString($.v)`, input: `{"v":{"Arg2": [], "Arg1": 1}}`, want: `"{\"Arg2\":[],\"Arg1\":1}"`},
		{call: `States.JsonToString($.v)`, input: `{"v":"<a&b> \u00e9\n"}`, want: `"\"<a&b> é\\n\""`},
		{call: `States.JsonToString($)`, input: `{"other": 1}`, want: `"{\"other\":1}"`},
		{call: `States.JsonToString($.nope)`, input: `{"other":1}`,
			cause: `The function 'States.JsonToString($.nope)' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'`},
	})
}

func TestArray(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.Array($.a, $.b)`, input: `{"a":"","b":" "}`, want: `[""," "]`},
		{call: `States.Array($.a, $.b)`, input: `{"a":null,"b":1.1}`, want: `[null,1.1]`},
		{call: `States.Array()`, want: `[]`},
		{call: `States.Array('a', 1, true, null, States.Array())`, want: `["a",1,true,null,[]]`},
		{call: `States.Array(1, $.nope)`, input: `{"other":1}`,
			cause: `The function 'States.Array(1, $.nope)' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'`},
	})
}

func TestArrayPartition(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.ArrayPartition($.a, 1)`, input: `{"a":[0,1]}`, want: `[[0],[1]]`},
		{call: `States.ArrayPartition($.a, 2)`, input: `{"a":[0,1,2]}`, want: `[[0,1],[2]]`},
		{call: `States.ArrayPartition($.a, 5)`, input: `{"a":[0,1,2,3]}`, want: `[[0,1,2,3]]`},
		{call: `States.ArrayPartition($.a, 3)`, input: `{"a":[]}`, want: `[]`},
		{call: `States.ArrayPartition($.a, 0)`, input: `{"a":[1]}`, cause: invalid(`States.ArrayPartition($.a, 0)`, "States.ArrayPartition")},
		{call: `States.ArrayPartition($.a, 0.49)`, input: `{"a":[1]}`, cause: invalid(`States.ArrayPartition($.a, 0.49)`, "States.ArrayPartition")},
		{call: `States.ArrayPartition($.a, -1)`, input: `{"a":[1]}`, cause: invalid(`States.ArrayPartition($.a, -1)`, "States.ArrayPartition")},
		{call: `States.ArrayPartition($.a, 'x')`, input: `{"a":[1]}`, cause: invalid(`States.ArrayPartition($.a, 'x')`, "States.ArrayPartition")},
		{call: `States.ArrayPartition($.a, 1)`, input: `{"a":"s"}`, cause: invalid(`States.ArrayPartition($.a, 1)`, "States.ArrayPartition")},
	})
}

func TestArrayContains(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.ArrayContains($.a, $.v)`, input: `{"a":[[1,2,3],2],"v":null}`, want: `false`},
		{call: `States.ArrayContains($.a, $.v)`, input: `{"a":[[1,2,3],2],"v":[1,2,3]}`, want: `true`},
		{call: `States.ArrayContains($.a, $.v)`, input: `{"a":[{"1":2,"2":[]}],"v":[]}`, want: `false`},
		{call: `States.ArrayContains($.a, $.v)`, input: `{"a":[{"1":2,"2":[]}],"v":{"2":[],"1":2}}`, want: `true`},
		{call: `States.ArrayContains($.a, false)`, input: `{"a":[true,false]}`, want: `true`},
		{call: `States.ArrayContains($.a, 'x')`, input: `{"a":"x"}`, cause: invalid(`States.ArrayContains($.a, 'x')`, "States.ArrayContains")},
	})
}

func TestArrayRange(t *testing.T) {
	thousand := make([]string, 1000)
	for i := range thousand {
		thousand[i] = itoa(i + 1)
	}
	runCases(t, []evalCase{
		{call: `States.ArrayRange(1, 9, 2)`, want: `[1,3,5,7,9]`},
		{call: `States.ArrayRange($.a, $.b, $.c)`, input: `{"a":1,"b":9,"c":9}`, want: `[1]`},
		{call: `States.ArrayRange(-2, 2, 2)`, want: `[-2,0,2]`},
		{call: `States.ArrayRange(1.4, 5.6, 2.2)`, want: `[1,3,5]`},
		{call: `States.ArrayRange(3, 3, -1)`, want: `[3]`},
		{call: `States.ArrayRange(5, 1, -2)`, want: `[5,3,1]`},
		{call: `States.ArrayRange(5, 1, 1)`, want: `[]`},
		{call: `States.ArrayRange(1.6, 1.4, 1)`, want: `[1]`},
		{call: `States.ArrayRange(5.4, -0.6, -2.4)`, want: `[5,3,1]`},
		{call: `States.ArrayRange(1, 1000, 1)`, want: "[" + strings.Join(thousand, ",") + "]"},
		{call: `States.ArrayRange(States.MathAdd($.b, 1), States.MathAdd($.b, 5), 2)`, input: `{"b":0}`, want: `[1,3,5]`},
		{call: `States.ArrayRange(1, 1001, 1)`, cause: invalid(`States.ArrayRange(1, 1001, 1)`, "States.ArrayRange")},
		{call: `States.ArrayRange(1001, 1, -1)`, cause: invalid(`States.ArrayRange(1001, 1, -1)`, "States.ArrayRange")},
		{call: `States.ArrayRange(1, 10, 0)`, cause: invalid(`States.ArrayRange(1, 10, 0)`, "States.ArrayRange")},
		{call: `States.ArrayRange(1, 10, 0.49)`, cause: invalid(`States.ArrayRange(1, 10, 0.49)`, "States.ArrayRange")},
		{call: `States.ArrayRange('a', 5, 1)`, cause: invalid(`States.ArrayRange('a', 5, 1)`, "States.ArrayRange")},
		{call: `States.ArrayRange(1, 5, 'c')`, cause: invalid(`States.ArrayRange(1, 5, 'c')`, "States.ArrayRange")},
		{call: `States.ArrayRange(-2147483648, 2147483647, 1)`, cause: invalid(`States.ArrayRange(-2147483648, 2147483647, 1)`, "States.ArrayRange")},
	})
}

func itoa(n int) string { return string(intValue(int64(n)).s) }

func TestArrayGetItem(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.ArrayGetItem($.a, $.i)`, input: `{"a":[1,2,3,4,5,6,7,8,9],"i":5}`, want: `6`},
		{call: `States.ArrayGetItem($.a, 0)`, input: `{"a":[{"k":"v"}]}`, want: `{"k":"v"}`},
		{call: `States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)`, want: `"sm"`},
		{call: `States.ArrayGetItem($.a, 3)`, input: `{"a":[1,2,3]}`, cause: invalid(`States.ArrayGetItem($.a, 3)`, "States.ArrayGetItem")},
		{call: `States.ArrayGetItem($.a, -1)`, input: `{"a":[1,2,3]}`, cause: invalid(`States.ArrayGetItem($.a, -1)`, "States.ArrayGetItem")},
		{call: `States.ArrayGetItem($.a, '0')`, input: `{"a":[1,2,3]}`, cause: invalid(`States.ArrayGetItem($.a, '0')`, "States.ArrayGetItem")},
		{call: `States.ArrayGetItem($.a, 0)`, input: `{"a":{"0":1}}`, cause: invalid(`States.ArrayGetItem($.a, 0)`, "States.ArrayGetItem")},
	})
}

func TestArrayLength(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.ArrayLength($.a)`, input: `{"a":[1,2,3,4,5,6,7,8,9]}`, want: `9`},
		{call: `States.ArrayLength($.a)`, input: `{"a":[]}`, want: `0`},
		{call: `States.ArrayLength($.a)`, input: `{"a":"abc"}`, cause: invalid(`States.ArrayLength($.a)`, "States.ArrayLength")},
	})
}

func TestArrayUnique(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.ArrayUnique($.a)`, input: `{"a":[1,2,3,3,3,3,3,3,4]}`, want: `[1,2,3,4]`},
		{call: `States.ArrayUnique($.a)`, input: `{"a":[{"a":1,"b":2},"x",{"b":2,"a":1},null,null]}`, want: `[{"a":1,"b":2},"x",null]`},
		{call: `States.ArrayUnique($.a)`, input: `{"a":{}}`, cause: invalid(`States.ArrayUnique($.a)`, "States.ArrayUnique")},
	})
}

func TestBase64(t *testing.T) {
	long := strings.Repeat("a", 10001)
	runCases(t, []evalCase{
		{call: `States.Base64Encode($.s)`, input: `{"s":"Data to encode"}`, want: `"RGF0YSB0byBlbmNvZGU="`},
		{call: `States.Base64Encode('é')`, want: `"w6k="`},
		{call: `States.Base64Decode($.s)`, input: `{"s":"RGF0YSB0byBlbmNvZGU="}`, want: `"Data to encode"`},
		{call: `States.Base64Decode('RGF0YSB0byBlbmNvZGU')`, want: `"Data to encode"`},
		{call: `States.Base64Decode('')`, want: `""`},
		{call: `States.Base64Encode($.s)`, input: `{"s":"` + long + `"}`, cause: invalid(`States.Base64Encode($.s)`, "States.Base64Encode")},
		{call: `States.Base64Decode($.s)`, input: `{"s":"` + long + `"}`, cause: invalid(`States.Base64Decode($.s)`, "States.Base64Decode")},
		{call: `States.Base64Decode('not base64!')`, cause: invalid(`States.Base64Decode('not base64!')`, "States.Base64Decode")},
		{call: `States.Base64Encode(1)`, cause: invalid(`States.Base64Encode(1)`, "States.Base64Encode")},
	})
}

func TestHash(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.Hash($.d, 'SHA-1')`, input: `{"d":"input data"}`, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{call: `States.Hash($.d, 'SHA-256')`, input: `{"d":"input data"}`, want: `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{call: `States.Hash($.d, 'SHA-384')`, input: `{"d":"input data"}`, want: `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{call: `States.Hash('input data', 'MD5')`, want: `"812f45842bc6d66ee14572ce20db8e86"`},
		{call: `States.Hash('', 'SHA-512')`, want: `"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"`},
		{call: `States.Hash('x', 'SHA256')`, cause: invalid(`States.Hash('x', 'SHA256')`, "States.Hash")},
		{call: `States.Hash(1, 'MD5')`, cause: invalid(`States.Hash(1, 'MD5')`, "States.Hash")},
		{call: `States.Hash($.d, 'MD5')`, input: `{"d":"` + strings.Repeat("b", 10001) + `"}`, cause: invalid(`States.Hash($.d, 'MD5')`, "States.Hash")},
	})
}

func TestJsonMerge(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.JsonMerge($.a, $.b, false)`, input: `{"a":{"a":1,"x":{"y":1},"c":3},"b":{"x":{"z":2},"b":2}}`, want: `{"a":1,"x":{"z":2},"c":3,"b":2}`},
		{call: `States.JsonMerge($.a, $.b, false)`, input: `{"a":{},"b":{}}`, want: `{}`},
		{call: `States.JsonMerge($.a, $.b, true)`, input: `{"a":{},"b":{}}`, cause: invalid(`States.JsonMerge($.a, $.b, true)`, "States.JsonMerge")},
		{call: `States.JsonMerge($.a, $.b, false)`, input: `{"a":[],"b":{}}`, cause: invalid(`States.JsonMerge($.a, $.b, false)`, "States.JsonMerge")},
		{call: `States.JsonMerge($.a, $.b, 'false')`, input: `{"a":{},"b":{}}`, cause: invalid(`States.JsonMerge($.a, $.b, 'false')`, "States.JsonMerge")},
		{call: `States.JsonMerge($.nope, $.other, false)`, input: `{"other":1}`,
			cause: `The function 'States.JsonMerge($.nope, $.other, false)' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'`},
	})
}

func TestMathAdd(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.MathAdd($.a, $.b)`, input: `{"a":-9,"b":3}`, want: `-6`},
		{call: `States.MathAdd($.a, $.b)`, input: `{"a":1.49,"b":1.5}`, want: `3`},
		{call: `States.MathAdd($.a, $.b)`, input: `{"a":-1.51,"b":0}`, want: `-2`},
		{call: `States.MathAdd($.a, $.b)`, input: `{"a":-0.5,"b":0.5}`, want: `1`},
		{call: `States.MathAdd($.a, $.b)`, input: `{"a":-0.5,"b":0}`, want: `0`},
		{call: `States.MathAdd($.a, $.b)`, input: `{"a":-1.49,"b":-1.5}`, want: `-2`},
		{call: `States.MathAdd($.a, $.b)`, input: `{"a":-1.5,"b":-1.51}`, want: `-3`},
		{call: `States.MathAdd($.a, -1)`, input: `{"a":3}`, want: `2`},
		{call: `States.MathAdd(States.MathAdd($obj.n, 1), 1)`, want: `7`},
		{call: `States.MathAdd(2147483647, 1)`, want: `2147483648`},
		{call: `States.MathAdd(2147483648, 1)`, cause: invalid(`States.MathAdd(2147483648, 1)`, "States.MathAdd")},
		{call: `States.MathAdd($.a, 1)`, input: `{"a":"NOT A NUMBER"}`, cause: invalid(`States.MathAdd($.a, 1)`, "States.MathAdd")},
		{call: `States.MathAdd(null, 1)`, cause: invalid(`States.MathAdd(null, 1)`, "States.MathAdd")},
	})
}

func TestMathRandom(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.MathRandom($.a, $.b)`, input: `{"a":12.5,"b":44.51}`, want: `12`},
		{call: `States.MathRandom(-99999, -9999)`, want: `-99999`},
		{call: `States.MathRandom(1.4, 1.6)`, cause: invalid(`States.MathRandom(1.4, 1.6)`, "States.MathRandom")},
		{call: `States.MathRandom(5, 5)`, cause: invalid(`States.MathRandom(5, 5)`, "States.MathRandom")},
		{call: `States.MathRandom('1', 5)`, cause: invalid(`States.MathRandom('1', 5)`, "States.MathRandom")},
		{call: `States.MathRandom(1, 5, 'seed')`, cause: invalid(`States.MathRandom(1, 5, 'seed')`, "States.MathRandom")},
	})
	// A seeded call is deterministic and in range.
	c, err := Parse(`States.MathRandom(0, 999, $.seed)`)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for seed := range 20 {
		input := `{"seed":` + itoa(seed) + `}`
		a, err1 := c.Eval(testEnv(input))
		b, err2 := c.Eval(&Env{Input: []byte(input)})
		if err1 != nil || err2 != nil || string(a) != string(b) {
			t.Fatalf("seed %d: %s %v, %s %v", seed, a, err1, b, err2)
		}
		v, _ := decode(a)
		n, ok := truncInt(v)
		if !ok || n < 0 || n >= 999 {
			t.Fatalf("seed %d: %s out of range", seed, a)
		}
		seen[string(a)] = true
	}
	if len(seen) < 10 {
		t.Fatalf("seeded results barely vary: %v", seen)
	}
}

func TestStringSplit(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.StringSplit($.s, $.d)`, input: `{"s":" ","d":","}`, want: `[" "]`},
		{call: `States.StringSplit($.s, $.d)`, input: `{"s":" , ","d":","}`, want: `[" "," "]`},
		{call: `States.StringSplit($.s, $.d)`, input: `{"s":",,,,","d":","}`, want: `[]`},
		{call: `States.StringSplit($.s, $.d)`, input: `{"s":"This.is+a,test=string","d":".+,="}`, want: `["This","is","a","test","string"]`},
		{call: `States.StringSplit($.s, $.d)`, input: `{"s":"split on T and \nnew line","d":"T\n"}`, want: `["split on "," and ","new line"]`},
		{call: `States.StringSplit('Hello\nWorld', '\n')`, want: `["Hello","World"]`},
		{call: `States.StringSplit($$.Execution.Input.csv, ',')`, want: `["a","b"]`},
		{call: `States.StringSplit('abc', '')`, want: `["abc"]`},
		{call: `States.StringSplit('', ',')`, want: `[]`},
		{call: `States.StringSplit(1, ',')`, cause: invalid(`States.StringSplit(1, ',')`, "States.StringSplit")},
		{call: `States.StringSplit('a', 1)`, cause: invalid(`States.StringSplit('a', 1)`, "States.StringSplit")},
	})
}

func TestUUID(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.UUID()`, want: `"11111111-2222-4333-8444-555555555555"`},
		{call: `States.Format('id-{}', States.UUID())`, want: `"id-11111111-2222-4333-8444-555555555555"`},
	})
	c, _ := Parse(`States.UUID()`)
	var ie *Error
	if _, err := c.Eval(nil); !errors.As(err, &ie) {
		t.Fatalf("UUID without a generator: got %v, want *Error", err)
	}
}

func TestParse(t *testing.T) {
	good := []struct{ in, canonical string }{
		{`States.Array()`, `States.Array()`},
		{`  States.Array( 1 ,'a',  true , null,-2.5e3 )  `, `States.Array(1, 'a', true, null, -2.5e3)`},
		{`States.Format('a \{\} \' \\ {}',$.x)`, `States.Format('a \{\} \' \\ {}', $.x)`},
		{`States.Array($.a['x,y'], $.b[0], $$.Map.Item.Value, $v.k)`, `States.Array($.a['x,y'], $.b[0], $$.Map.Item.Value, $v.k)`},
		{`States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.a, '/'), 2), '.'), 0)`,
			`States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.a, '/'), 2), '.'), 0)`},
		{`States.JsonToString($)`, `States.JsonToString($)`},
	}
	for _, tc := range good {
		c, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := c.String(); got != tc.canonical {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.canonical)
		}
		if c.Source() != tc.in {
			t.Errorf("Source() = %q, want %q", c.Source(), tc.in)
		}
	}
	deep := "$.x"
	for range 10 {
		deep = "States.Array(" + deep + ")"
	}
	if _, err := Parse(deep); err != nil {
		t.Errorf("10 nested calls: %v", err)
	}
	bad := []string{
		``, `States`, `States.Nope()`, `States.Array(`, `States.Array(1,)`, `States.Array(1) x`,
		`States.Array('abc)`, `States.Array(abc)`, `States.Array(1 2)`, `States.Array(01)`, `States.Array(--1)`,
		`States.UUID(1)`, `States.MathAdd(1)`, `States.MathRandom(1, 2, 3, 4)`, `States.ArrayRange(1, 5)`,
		`States.Format()`, `States.Format('{} {}', 1)`, `States.Format('{}')`, `States.Format('a {', 1)`,
		`States.Format('a }')`, `States.Array(truex)`, `Format('x')`, `$.x`, `States.Array($.a[)`,
		"States.Array(" + deep + ")",
	}
	for _, s := range bad {
		c, err := Parse(s)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, %v; want *SyntaxError", s, c, err)
		}
	}
}

func TestIsCall(t *testing.T) {
	for s, want := range map[string]bool{
		"States.Array()": true, "  States.Format('x')": true, "$.States": false, "states.Array()": false, "": false,
	} {
		if got := IsCall(s); got != want {
			t.Errorf("IsCall(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestJSONOutputEscaping(t *testing.T) {
	runCases(t, []evalCase{
		{call: `States.Array($.s)`, input: `{"s":"\u0001\t\"\\/<>&\u2028😀"}`, want: `["\u0001\t\"\\/<>&` + "\u2028😀" + `"]`},
		{call: `States.Array($.o)`, input: `{"o":{"z":1,"a":{"y":[1.50,-0,2e3]}}}`, want: `[{"z":1,"a":{"y":[1.50,0,2e3]}}]`},
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`States.Format('a {} \{ \\', $.x, States.Array(1, 'b', null, true))`,
		`States.ArrayRange(1, 9, 2)`, `States.JsonMerge($.a, $$.b, false)`, `States.MathRandom(1, 2, 3)`,
		`States.Array($.a['x,)'], $v.k[0])`, `States.StringSplit('a\nb', '\')`, `States.UUID()`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1000 {
			return
		}
		c, err := Parse(s)
		if err != nil {
			return
		}
		canon := c.String()
		c2, err := Parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, s, err)
		}
		if c2.String() != canon {
			t.Fatalf("not stable: %q -> %q -> %q", s, canon, c2.String())
		}
		_, _ = c.Eval(&Env{Input: []byte(`{"a":[1,2],"x":"s"}`), Context: []byte(`{}`)})
	})
}

func BenchmarkEval(b *testing.B) {
	env := &Env{Input: []byte(`{"name":"World","n":42,"a":{"k1":"v1","k2":[1,2,3],"k3":{"x":true}},"b":{"k2":"over","k4":null}}`)}
	for _, bc := range []struct{ name, call string }{
		{"Format", `States.Format('Hello {}, you are {} ({})', $.name, $.n, $.a.k1)`},
		{"JsonMerge", `States.JsonMerge($.a, $.b, false)`},
	} {
		c, err := Parse(bc.call)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Eval(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
