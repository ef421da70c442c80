package jsonpath

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"
)

// EvalError reports a path that parsed but cannot be evaluated on the document, such as an
// aggregation function (min, max, avg, sum, stddev) over something without numbers.
type EvalError struct {
	Path string
	Msg  string
}

// Error returns the message with the path.
func (e *EvalError) Error() string {
	return "cannot evaluate path " + strconv.Quote(e.Path) + ": " + e.Msg
}

// docString views doc as a string without copying: gjson reads strings, and Get and Set
// never modify doc, so the view stays valid for the call.
func docString(doc []byte) string {
	if len(doc) == 0 {
		return ""
	}
	return unsafe.String(&doc[0], len(doc))
}

// parseDoc returns the document as a gjson result whose Raw is the trimmed text.
func parseDoc(doc []byte) gjson.Result {
	return gjson.Parse(strings.TrimSpace(docString(doc)))
}

// Get evaluates p's steps (after its root; the caller passes the document the root names) on doc,
// a valid JSON text. Definite path: the selected node's raw JSON bytes (may alias doc).
// Indefinite path (wildcard, filter, slice, union, descendant): a JSON array of all matches in
// document order, "[]" when none. A definite path that selects nothing returns *NotFoundError.
// A function step (length() ...) applies to each node selected before it, as in Jayway:
// "$.a.length()" gives one number, "$.a[*].length()" an array of them.
func (p *Path) Get(doc []byte) ([]byte, error) {
	if p.reference {
		return p.getReference(doc)
	}
	root := parseDoc(doc)
	ev := evaluator{root: root}
	var out []gjson.Result
	ev.run(p.steps, root, func(r gjson.Result) { out = append(out, r) })
	if ev.err != nil {
		return nil, &EvalError{Path: p.text, Msg: ev.err.Error()}
	}
	if !p.definite {
		return []byte(joinArray(out)), nil
	}
	if len(out) == 0 {
		return nil, &NotFoundError{Path: p.text, jayway: jaywayString("$", p.steps)}
	}
	return []byte(out[0].Raw), nil
}

// getReference is Get for a reference path (names and non-negative indexes), the common
// case of Parameters and ResultSelector values: one walk down the document with no
// callback or result slice, and the selected bytes returned as a view of doc when gjson's
// result lies inside it (capacity capped, so an append by the caller copies).
func (p *Path) getReference(doc []byte) ([]byte, error) {
	node := parseDoc(doc)
	for _, s := range p.steps {
		var ok bool
		if s.kind == stepField {
			node, ok = fieldKey(node, s.name, s.key)
		} else {
			node, ok = element(node, s.index)
		}
		if !ok {
			return nil, &NotFoundError{Path: p.text, jayway: jaywayString("$", p.steps)}
		}
	}
	return viewOf(doc, node.Raw), nil
}

// viewOf returns raw as bytes: a capped slice of doc when raw is a substring of it (gjson
// hands out substrings of its input), else a copy.
func viewOf(doc []byte, raw string) []byte {
	if len(raw) == 0 || len(doc) == 0 {
		return []byte(raw)
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(raw)))
	base := uintptr(unsafe.Pointer(&doc[0]))
	if start < base || start-base+uintptr(len(raw)) > uintptr(len(doc)) {
		return []byte(raw)
	}
	off := int(start - base)
	return doc[off : off+len(raw) : off+len(raw)]
}

func joinArray(rs []gjson.Result) string {
	n := 2
	for _, r := range rs {
		n += len(r.Raw) + 1
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(r.Raw)
	}
	b.WriteByte(']')
	return b.String()
}

// evaluator walks steps over gjson results in the order Jayway visits nodes.
type evaluator struct {
	root gjson.Result // the document, for '$' inside filters
	err  error        // the first function error; evaluation carries on but Get fails
}

// field returns the value of key name in object node, if any. The key goes to gjson
// escaped, so gjson's query syntax in names is taken literally.
func field(node gjson.Result, name string) (gjson.Result, bool) {
	return fieldKey(node, name, gjson.Escape(name))
}

// fieldKey is field with the gjson key already escaped (see withKeys).
func fieldKey(node gjson.Result, name, key string) (gjson.Result, bool) {
	if !node.IsObject() {
		return gjson.Result{}, false
	}
	if name == "" {
		var v gjson.Result
		found := false
		node.ForEach(func(k, val gjson.Result) bool {
			if k.String() == "" {
				v, found = val, true
				return false
			}
			return true
		})
		return v, found
	}
	v := node.Get(key)
	return v, v.Exists()
}

func arrayLen(node gjson.Result) int {
	n := 0
	node.ForEach(func(_, _ gjson.Result) bool { n++; return true })
	return n
}

// element returns element i of array node; a negative i counts from the end, as in Jayway.
func element(node gjson.Result, i int) (gjson.Result, bool) {
	if !node.IsArray() {
		return gjson.Result{}, false
	}
	if i < 0 {
		i += arrayLen(node)
		if i < 0 {
			return gjson.Result{}, false
		}
	}
	v := node.Get(strconv.Itoa(i))
	return v, v.Exists()
}

func (ev *evaluator) run(steps []step, node gjson.Result, emit func(gjson.Result)) {
	if len(steps) == 0 {
		emit(node)
		return
	}
	s, rest := steps[0], steps[1:]
	switch s.kind {
	case stepField:
		if v, ok := fieldKey(node, s.name, s.key); ok {
			ev.run(rest, v, emit)
		}
	case stepFields:
		if !node.IsObject() {
			return
		}
		if len(rest) == 0 { // Jayway merges the named fields of a leaf union into one object
			var b strings.Builder
			b.WriteByte('{')
			n := 0
			for _, name := range s.names {
				if v, ok := field(node, name); ok {
					if n > 0 {
						b.WriteByte(',')
					}
					n++
					b.WriteString(quoteJSON(name))
					b.WriteByte(':')
					b.WriteString(v.Raw)
				}
			}
			b.WriteByte('}')
			emit(gjson.Parse(b.String()))
			return
		}
		for _, name := range s.names {
			if v, ok := field(node, name); ok {
				ev.run(rest, v, emit)
			}
		}
	case stepIndex:
		if v, ok := element(node, s.index); ok {
			ev.run(rest, v, emit)
		}
	case stepIndexes:
		for _, i := range s.indexes {
			if v, ok := element(node, i); ok {
				ev.run(rest, v, emit)
			}
		}
	case stepWildcard:
		if node.IsObject() || node.IsArray() {
			node.ForEach(func(_, v gjson.Result) bool {
				ev.run(rest, v, emit)
				return true
			})
		}
	case stepSlice:
		if !node.IsArray() {
			return
		}
		elems := node.Array()
		for _, i := range sliceIndexes(s, len(elems)) {
			if i < 0 {
				i += len(elems)
			}
			if i >= 0 && i < len(elems) {
				ev.run(rest, elems[i], emit)
			}
		}
	case stepFilter:
		switch {
		case node.IsObject(): // Jayway applies a filter on an object to the object itself
			if ev.test(s.filter, node) {
				ev.run(rest, node, emit)
			}
		case node.IsArray():
			node.ForEach(func(_, v gjson.Result) bool {
				if ev.test(s.filter, v) {
					ev.run(rest, v, emit)
				}
				return true
			})
		}
	case stepScan:
		ev.scan(rest, node, emit)
	case stepFunction:
		r, err := callFunction(s.name, node)
		if err != nil {
			if ev.err == nil {
				ev.err = err
			}
			return
		}
		ev.run(rest, gjson.Parse(r), emit)
	}
}

// scan applies steps (the step after "..", then the rest) to node and every descendant
// in Jayway's order (ScanPathToken.walk): a container is tried first, then each child's
// subtree in turn. Jayway's quirk is kept: on an array that matches, a non-final step
// after ".." is skipped and the steps after it apply to each element.
func (ev *evaluator) scan(steps []step, node gjson.Result, emit func(gjson.Result)) {
	isObj, isArr := node.IsObject(), node.IsArray()
	if !isObj && !isArr {
		return
	}
	if ev.scanMatches(steps[0], len(steps) == 1, node) {
		if isArr && len(steps) > 1 {
			node.ForEach(func(_, v gjson.Result) bool {
				ev.run(steps[1:], v, emit)
				return true
			})
		} else {
			ev.run(steps, node, emit)
		}
	}
	node.ForEach(func(_, v gjson.Result) bool {
		ev.scan(steps, v, emit)
		return true
	})
}

// scanMatches is Jayway's scan predicate: which containers the step after ".." is tried on.
func (ev *evaluator) scanMatches(s step, leaf bool, node gjson.Result) bool {
	switch s.kind {
	case stepField:
		_, ok := fieldKey(node, s.name, s.key)
		return ok
	case stepFields:
		// A merged (final) union needs every name; an iterated one takes any object.
		if !node.IsObject() {
			return false
		}
		if leaf {
			for _, n := range s.names {
				if _, ok := field(node, n); !ok {
					return false
				}
			}
		}
		return true
	case stepIndex, stepIndexes, stepSlice:
		return node.IsArray()
	case stepFilter:
		return ev.test(s.filter, node)
	case stepWildcard:
		return true
	}
	return false
}

// sliceIndexes lists the indexes Jayway's ArraySliceOperation visits (possibly negative,
// to be resolved against the length). The step part is ignored, as Jayway ignores it.
func sliceIndexes(s step, length int) []int {
	var out []int
	switch {
	case s.hasFrom && !s.hasTo: // [from:]
		from := s.from
		if from < 0 {
			from += length
		}
		from = max(0, from)
		for i := from; i < length; i++ {
			out = append(out, i)
		}
	case s.hasFrom: // [from:to]
		to := min(length, s.to)
		if s.from >= to || length == 0 {
			return nil
		}
		for i := s.from; i < to; i++ {
			out = append(out, i)
		}
	default: // [:to]
		if length == 0 {
			return nil
		}
		to := s.to
		if to < 0 {
			to += length
		}
		to = min(length, to)
		for i := 0; i < to; i++ {
			out = append(out, i)
		}
	}
	return out
}

func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20:
				switch c {
				case '\n':
					b.WriteString(`\n`)
				case '\r':
					b.WriteString(`\r`)
				case '\t':
					b.WriteString(`\t`)
				default:
					b.WriteString(`\u00`)
					b.WriteByte("0123456789abcdef"[c>>4])
					b.WriteByte("0123456789abcdef"[c&15])
				}
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// Filters.

// valueKind classifies a filter operand once evaluated, after Jayway's ValueNode types.
type valueKind uint8

const (
	valUndefined valueKind = iota // the path selected nothing
	valNumber
	valString
	valBool
	valNull
	valJSON // an object or array (or the list an indefinite path selected)
)

type value struct {
	kind valueKind
	text string // number text, string contents, "true"/"false", or raw JSON
}

func valueOf(r gjson.Result) value {
	switch r.Type {
	case gjson.Number:
		return value{valNumber, r.Raw}
	case gjson.String:
		return value{valString, r.Str}
	case gjson.True:
		return value{valBool, "true"}
	case gjson.False:
		return value{valBool, "false"}
	case gjson.Null:
		return value{valNull, ""}
	case gjson.JSON:
		return value{valJSON, r.Raw}
	}
	return value{}
}

func (ev *evaluator) test(e expr, item gjson.Result) bool {
	switch e := e.(type) {
	case orExpr:
		return ev.test(e.l, item) || ev.test(e.r, item)
	case andExpr:
		return ev.test(e.l, item) && ev.test(e.r, item)
	case notExpr:
		return !ev.test(e.x, item)
	case existsExpr:
		found := false
		ev.run(e.p.steps, ev.base(e.p, item), func(gjson.Result) { found = true })
		return found
	case cmpExpr:
		return compare(e.op, ev.eval(e.l, item), ev.eval(e.r, item))
	}
	return false
}

func (ev *evaluator) base(o operand, item gjson.Result) gjson.Result {
	if o.kind == opPathDoc {
		return ev.root
	}
	return item
}

func (ev *evaluator) eval(o operand, item gjson.Result) value {
	switch o.kind {
	case opNumber:
		return value{valNumber, o.text}
	case opString:
		return value{valString, o.text}
	case opBool:
		return value{valBool, o.text}
	case opNull:
		return value{valNull, ""}
	}
	var out []gjson.Result
	ev.run(o.steps, ev.base(o, item), func(r gjson.Result) { out = append(out, r) })
	if !o.definite {
		return value{valJSON, joinArray(out)}
	}
	if len(out) == 0 {
		return value{}
	}
	return valueOf(out[0])
}

// compare applies a filter operator as Jayway's evaluators do: numbers numerically,
// strings by UTF-16 code units, == on other kinds by value; != is the negation of ==
// (so a missing field is != anything); ordering of other kinds is false.
func compare(op string, l, r value) bool {
	switch op {
	case "==":
		return equal(l, r)
	case "!=":
		return !equal(l, r)
	}
	var c int
	switch {
	case l.kind == valNumber && r.kind == valNumber:
		var ok bool
		if c, ok = compareNumbers(l.text, r.text); !ok {
			return false
		}
	case l.kind == valString && r.kind == valString:
		c = compareUTF16(l.text, r.text)
	default:
		return false
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func equal(l, r value) bool {
	switch {
	case l.kind == valUndefined || r.kind == valUndefined:
		return false
	case l.kind == valNumber && (r.kind == valNumber || r.kind == valString):
		// Jayway's NumberNode.equals reads a string as a number.
		c, ok := compareNumbers(l.text, r.text)
		return ok && c == 0
	case l.kind == valString && r.kind == valNumber:
		// Jayway's StringNode.equals compares the number's text.
		return l.text == r.text
	case l.kind != r.kind:
		return false
	case l.kind == valJSON:
		return jsonEqual(gjson.Parse(l.text), gjson.Parse(r.text))
	}
	return l.text == r.text
}

// compareNumbers compares two numbers given as text; ok is false if either is not a number.
func compareNumbers(a, b string) (int, bool) {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil && fa != fb {
		if fa < fb {
			return -1, true
		}
		return 1, true
	}
	if (errA != nil && !isRange(errA)) || (errB != nil && !isRange(errB)) {
		return 0, false
	}
	// Equal as float64 (or out of its range): compare exactly, as Java's BigDecimal does.
	ba, _, errA2 := big.ParseFloat(a, 10, 512, big.ToNearestEven)
	bb, _, errB2 := big.ParseFloat(b, 10, 512, big.ToNearestEven)
	if errA2 != nil || errB2 != nil {
		return 0, false
	}
	return ba.Cmp(bb), true
}

func isRange(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && ne.Err == strconv.ErrRange
}

// compareUTF16 orders strings as Java's String.compareTo: by UTF-16 code units.
func compareUTF16(a, b string) int {
	if a == b {
		return 0
	}
	ua := utf16.Encode([]rune(a))
	ub := utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	}
	return 0
}

// jsonEqual compares two JSON values structurally (object key order does not matter).
func jsonEqual(a, b gjson.Result) bool {
	switch {
	case a.IsObject() && b.IsObject():
		am := a.Map()
		bm := b.Map()
		if len(am) != len(bm) {
			return false
		}
		for k, av := range am {
			bv, ok := bm[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	case a.IsArray() && b.IsArray():
		aa, ba := a.Array(), b.Array()
		if len(aa) != len(ba) {
			return false
		}
		for i := range aa {
			if !jsonEqual(aa[i], ba[i]) {
				return false
			}
		}
		return true
	case a.Type == gjson.Number && b.Type == gjson.Number:
		c, ok := compareNumbers(a.Raw, b.Raw)
		return ok && c == 0
	case a.Type != b.Type:
		return false
	case a.Type == gjson.String:
		return a.Str == b.Str
	}
	return true
}

// Functions.

// callFunction applies a Jayway path function to node and returns the JSON result.
func callFunction(name string, node gjson.Result) (string, error) {
	if name == "length" {
		// Jayway's Length: the size of an array or object, null for anything else.
		if node.IsArray() || node.IsObject() {
			return strconv.Itoa(arrayLen(node)), nil
		}
		return "null", nil
	}
	var nums []float64
	if node.IsArray() {
		node.ForEach(func(_, v gjson.Result) bool {
			if v.Type == gjson.Number {
				nums = append(nums, v.Float())
			}
			return true
		})
	}
	if len(nums) == 0 {
		return "", errors.New("aggregation function attempted to calculate value using empty array")
	}
	var r float64
	switch name {
	case "min":
		r = nums[0]
		for _, n := range nums {
			r = min(r, n)
		}
	case "max":
		r = nums[0]
		for _, n := range nums {
			r = max(r, n)
		}
	case "sum", "avg", "stddev":
		var sum, sq float64
		for _, n := range nums {
			sum += n
			sq += n * n
		}
		count := float64(len(nums))
		switch name {
		case "sum":
			r = sum
		case "avg":
			r = sum / count
		default:
			r = math.Sqrt(sq/count - sum*sum/count/count)
		}
	}
	return javaDouble(r), nil
}

// javaDouble formats f as Java's Double.toString does (Jayway's aggregations return
// doubles): "6.0", "0.5", "1.0E7", "1.0E-4".
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return "null" // not representable in JSON
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1.5e+07
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimLeft(exp, "+-"), "0")
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}
