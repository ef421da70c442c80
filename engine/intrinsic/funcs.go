package intrinsic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// function is one entry of the function table.
type function struct {
	name             string
	minArgs, maxArgs int                // maxArgs < 0: no upper bound
	check            func([]arg) string // static checks beyond arity; "" means fine
	eval             func(e *evaluation, fn *function, args []value) (value, error)
	// rawTemplate makes a string literal first argument evaluate to its text
	// as written, so States.Format can tell an escaped brace from a placeholder.
	rawTemplate bool
}

func (f *function) checkArity(n int) string {
	if n >= f.minArgs && (f.maxArgs < 0 || n <= f.maxArgs) {
		return ""
	}
	switch {
	case f.maxArgs < 0:
		return fmt.Sprintf("%s takes at least %d arguments, got %d", f.name, f.minArgs, n)
	case f.minArgs == f.maxArgs:
		return fmt.Sprintf("%s takes %d arguments, got %d", f.name, f.minArgs, n)
	}
	return fmt.Sprintf("%s takes %d to %d arguments, got %d", f.name, f.minArgs, f.maxArgs, n)
}

// Limits from the AWS documentation.
const (
	maxRangeItems  = 1000  // States.ArrayRange result
	maxStringChars = 10000 // States.Base64Encode, Base64Decode and Hash input
)

// functions is the function table, keyed by full name.
var functions = map[string]*function{}

func init() {
	for _, f := range []*function{
		{name: "States.Format", minArgs: 1, maxArgs: -1, check: checkFormat, eval: evalFormat, rawTemplate: true},
		{name: "States.StringToJson", minArgs: 1, maxArgs: 1, eval: evalStringToJSON},
		{name: "States.JsonToString", minArgs: 1, maxArgs: 1, eval: evalJSONToString},
		{name: "States.Array", minArgs: 0, maxArgs: -1, eval: evalArray},
		{name: "States.ArrayPartition", minArgs: 2, maxArgs: 2, eval: evalArrayPartition},
		{name: "States.ArrayContains", minArgs: 2, maxArgs: 2, eval: evalArrayContains},
		{name: "States.ArrayRange", minArgs: 3, maxArgs: 3, eval: evalArrayRange},
		{name: "States.ArrayGetItem", minArgs: 2, maxArgs: 2, eval: evalArrayGetItem},
		{name: "States.ArrayLength", minArgs: 1, maxArgs: 1, eval: evalArrayLength},
		{name: "States.ArrayUnique", minArgs: 1, maxArgs: 1, eval: evalArrayUnique},
		{name: "States.Base64Encode", minArgs: 1, maxArgs: 1, eval: evalBase64Encode},
		{name: "States.Base64Decode", minArgs: 1, maxArgs: 1, eval: evalBase64Decode},
		{name: "States.Hash", minArgs: 2, maxArgs: 2, eval: evalHash},
		{name: "States.JsonMerge", minArgs: 3, maxArgs: 3, eval: evalJSONMerge},
		{name: "States.MathRandom", minArgs: 2, maxArgs: 3, eval: evalMathRandom},
		{name: "States.MathAdd", minArgs: 2, maxArgs: 2, eval: evalMathAdd},
		{name: "States.StringSplit", minArgs: 2, maxArgs: 2, eval: evalStringSplit},
		{name: "States.UUID", minArgs: 0, maxArgs: 0, eval: evalUUID},
	} {
		functions[f.name] = f
	}
}

// template is a parsed States.Format template: literal text between the
// placeholders, len(text) == placeholders+1.
type template struct{ text []string }

// parseTemplate reads a format template written with the string-literal
// escapes: \{ and \} are braces, \' a quote, \\ a backslash; an unescaped {}
// is a placeholder and any other unescaped brace is an error.
func parseTemplate(raw string) (template, string) {
	var t template
	var sb strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\' && i+1 < len(raw) && isReserved(raw[i+1]):
			sb.WriteByte(raw[i+1])
			i++
		case c == '{':
			if i+1 >= len(raw) || raw[i+1] != '}' {
				return template{}, "matching '}' not found for '{'"
			}
			t.text = append(t.text, sb.String())
			sb.Reset()
			i++
		case c == '}':
			return template{}, "unmatched '}' in the template"
		default:
			sb.WriteByte(c)
		}
	}
	t.text = append(t.text, sb.String())
	return t, ""
}

// checkFormat checks a literal template against the argument count, which
// is known before the call runs.
func checkFormat(args []arg) string {
	if args[0].kind != argString {
		return ""
	}
	t, msg := parseTemplate(args[0].raw)
	if msg != "" {
		return "States.Format: " + msg
	}
	if len(t.text)-1 != len(args)-1 {
		return fmt.Sprintf("States.Format: the template has %d placeholders but %d values are given", len(t.text)-1, len(args)-1)
	}
	return ""
}

func evalFormat(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindString {
		return value{}, e.invalid(fn)
	}
	// A literal template was checked at parse time; a template read through a
	// path is checked here. Both are read with the literal escapes.
	t, msg := parseTemplate(args[0].s)
	if msg != "" || len(t.text)-1 != len(args)-1 {
		return value{}, e.invalid(fn)
	}
	var sb strings.Builder
	for i, s := range t.text {
		sb.WriteString(s)
		if i+1 < len(t.text) {
			args[i+1].javaString(&sb)
		}
	}
	return stringValue(sb.String()), nil
}

func evalStringToJSON(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindString {
		return value{}, e.invalid(fn)
	}
	s := strings.TrimSpace(args[0].s)
	if s == "" {
		return nullValue, nil // Jackson reads blank text as no value; AWS returns null
	}
	v, err := decode([]byte(s))
	if err != nil {
		return value{}, e.invalid(fn)
	}
	return v, nil
}

func evalJSONToString(_ *evaluation, _ *function, args []value) (value, error) {
	return stringValue(string(args[0].encode(nil))), nil
}

func evalArray(_ *evaluation, _ *function, args []value) (value, error) {
	return value{kind: kindArray, arr: append([]value{}, args...)}, nil
}

func evalArrayPartition(e *evaluation, fn *function, args []value) (value, error) {
	size, ok := truncInt(args[1])
	if args[0].kind != kindArray || !ok || size <= 0 {
		return value{}, e.invalid(fn)
	}
	arr := args[0].arr
	out := value{kind: kindArray, arr: make([]value, 0, (len(arr)+int(size)-1)/int(size))}
	for i := 0; i < len(arr); i += int(size) {
		end := min(len(arr), i+int(size))
		out.arr = append(out.arr, value{kind: kindArray, arr: arr[i:end:end]})
	}
	return out, nil
}

func evalArrayContains(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindArray {
		return value{}, e.invalid(fn)
	}
	for _, v := range args[0].arr {
		if v.equal(args[1]) {
			return trueValue, nil
		}
	}
	return falseValue, nil
}

// evalArrayRange builds start, start+step, ... up to end inclusive. AWS
// truncates fractional arguments toward zero and rejects a zero step and a
// result of more than 1000 items.
func evalArrayRange(e *evaluation, fn *function, args []value) (value, error) {
	start, ok1 := truncInt(args[0])
	end, ok2 := truncInt(args[1])
	step, ok3 := truncInt(args[2])
	if !ok1 || !ok2 || !ok3 || step == 0 {
		return value{}, e.invalid(fn)
	}
	var count int64
	if step > 0 && end >= start {
		count = (end-start)/step + 1
	} else if step < 0 && end <= start {
		count = (start-end)/(-step) + 1
	}
	if count > maxRangeItems {
		return value{}, e.invalid(fn)
	}
	out := value{kind: kindArray, arr: make([]value, 0, count)}
	for i := int64(0); i < count; i++ {
		out.arr = append(out.arr, intValue(start+i*step))
	}
	return out, nil
}

func evalArrayGetItem(e *evaluation, fn *function, args []value) (value, error) {
	i, ok := truncInt(args[1])
	if args[0].kind != kindArray || !ok || i < 0 || i >= int64(len(args[0].arr)) {
		return value{}, e.invalid(fn)
	}
	return args[0].arr[i], nil
}

func evalArrayLength(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindArray {
		return value{}, e.invalid(fn)
	}
	return intValue(int64(len(args[0].arr))), nil
}

// evalArrayUnique keeps the first of equal items, in order (AWS collects
// them in a LinkedHashSet).
func evalArrayUnique(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindArray {
		return value{}, e.invalid(fn)
	}
	out := value{kind: kindArray, arr: []value{}}
next:
	for _, v := range args[0].arr {
		for _, w := range out.arr {
			if v.equal(w) {
				continue next
			}
		}
		out.arr = append(out.arr, v)
	}
	return out, nil
}

func evalBase64Encode(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindString || utf8.RuneCountInString(args[0].s) > maxStringChars {
		return value{}, e.invalid(fn)
	}
	return stringValue(base64.StdEncoding.EncodeToString([]byte(args[0].s))), nil
}

// evalBase64Decode accepts padded and unpadded input, as Java's basic
// decoder does, and turns bytes that are not UTF-8 into U+FFFD like Java's
// new String(bytes, UTF_8).
func evalBase64Decode(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindString || utf8.RuneCountInString(args[0].s) > maxStringChars {
		return value{}, e.invalid(fn)
	}
	s := args[0].s
	if len(s)%4 == 0 {
		s = strings.TrimSuffix(strings.TrimSuffix(s, "="), "=")
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return value{}, e.invalid(fn)
	}
	return stringValue(strings.ToValidUTF8(string(b), "\uFFFD")), nil
}

var hashes = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

func evalHash(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindString || args[1].kind != kindString || utf8.RuneCountInString(args[0].s) > maxStringChars {
		return value{}, e.invalid(fn)
	}
	newHash := hashes[args[1].s]
	if newHash == nil {
		return value{}, e.invalid(fn)
	}
	h := newHash()
	h.Write([]byte(args[0].s))
	return stringValue(hex.EncodeToString(h.Sum(nil))), nil
}

// evalJSONMerge merges the second object's members into the first: a shared
// key keeps the first object's position and takes the second's value. Only
// the shallow mode exists; AWS rejects true for the deep flag.
func evalJSONMerge(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindObject || args[1].kind != kindObject || args[2].kind != kindBool || args[2].b {
		return value{}, e.invalid(fn)
	}
	out := value{kind: kindObject, obj: make([]member, len(args[0].obj), len(args[0].obj)+len(args[1].obj))}
	copy(out.obj, args[0].obj)
	for _, m := range args[1].obj {
		out.obj = setMember(out.obj, m.key, m.val)
	}
	return out, nil
}

// evalMathRandom returns an integer in [start, end). Fractional bounds are
// truncated (AWS rejects States.MathRandom(1.4, 1.6)). With a seed the result
// comes from splitmix64 and is the same for the same seed and bounds; it
// cannot match the numbers of AWS's Java generator.
func evalMathRandom(e *evaluation, fn *function, args []value) (value, error) {
	lo, ok1 := truncInt(args[0])
	hi, ok2 := truncInt(args[1])
	if !ok1 || !ok2 || lo >= hi || !isInt32(lo) || !isInt32(hi) {
		return value{}, e.invalid(fn)
	}
	if len(args) == 3 {
		seed, ok := truncInt(args[2])
		if !ok || !isInt32(seed) {
			return value{}, e.invalid(fn)
		}
		return intValue(lo + int64(splitmix64(uint64(seed))%uint64(hi-lo))), nil
	}
	if e.env.Random == nil {
		return value{}, e.fail("no random number generator is configured")
	}
	n := e.env.Random(lo, hi)
	if n < lo || n >= hi {
		n = lo
	}
	return intValue(n), nil
}

func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// evalMathAdd adds two integers. AWS rounds fractional arguments half up
// (Java's Math.round: 1.49 + 1.5 = 3, -0.5 + 0 = 0), as the recorded
// executions show; each argument must fit a Java int.
func evalMathAdd(e *evaluation, fn *function, args []value) (value, error) {
	a, ok1 := roundInt(args[0])
	b, ok2 := roundInt(args[1])
	if !ok1 || !ok2 || !isInt32(a) || !isInt32(b) {
		return value{}, e.invalid(fn)
	}
	return intValue(a + b), nil
}

// evalStringSplit splits on every character of the delimiter and drops
// empty pieces, as Java's StringTokenizer does: "a,,b" split on "," is
// ["a","b"] and ",,,," is [].
func evalStringSplit(e *evaluation, fn *function, args []value) (value, error) {
	if args[0].kind != kindString || args[1].kind != kindString {
		return value{}, e.invalid(fn)
	}
	delims := args[1].s
	out := value{kind: kindArray, arr: []value{}}
	for _, piece := range strings.FieldsFunc(args[0].s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out.arr = append(out.arr, stringValue(piece))
	}
	return out, nil
}

func evalUUID(e *evaluation, _ *function, _ []value) (value, error) {
	if e.env.UUID == nil {
		return value{}, e.fail("no UUID generator is configured")
	}
	return stringValue(e.env.UUID()), nil
}

// number reads a JSON number; other kinds are not numbers.
func number(v value) (float64, bool) {
	if v.kind != kindNumber {
		return 0, false
	}
	f, err := strconv.ParseFloat(v.s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// truncInt is Java's Number.intValue on a number within int range: the
// fraction is dropped.
func truncInt(v value) (int64, bool) {
	f, ok := number(v)
	if !ok || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int64(f), true
}

// roundInt is Java's Math.round: halves go up.
func roundInt(v value) (int64, bool) {
	f, ok := number(v)
	if !ok || f < math.MinInt32-1 || f > math.MaxInt32+1 {
		return 0, false
	}
	return int64(math.Floor(f + 0.5)), true
}

func isInt32(n int64) bool { return n >= math.MinInt32 && n <= math.MaxInt32 }
