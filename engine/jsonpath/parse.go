package jsonpath

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// maxNesting bounds parentheses and '!' nesting in filters so that hostile input cannot
// exhaust the stack.
const maxNesting = 64

// functions are the Jayway path functions accepted as a last step. AWS documents length();
// the aggregations are Jayway's.
var functions = map[string]bool{
	"length": true, "min": true, "max": true, "avg": true, "sum": true, "stddev": true,
}

// Parse parses an ASL Path: "$", "$.a.b", "$['a b']", "$.a[0]", "$.a[*]", "$.a[1:3]", "$..x",
// "$.a[?(@.price < 10 && @.x == 'y')]", "$.a[0,2]", "$$.Execution.Id", "$myVar.field", "$.a.length()"
// (Jayway functions length(), min(), max(), avg(), sum(), stddev() may appear at the end).
// It returns a *SyntaxError on failure (message says what and where).
func Parse(s string) (*Path, error) {
	ps := &parser{s: s}
	// Paths come from JSON texts, so they are UTF-8; refusing anything else keeps names
	// and the JSON keys they match (and create) the same.
	if !utf8.ValidString(s) {
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, ps.errorf(i, "invalid UTF-8")
			}
			i += size
		}
	}
	p, err := ps.path()
	if err != nil {
		return nil, err
	}
	return p, nil
}

type parser struct {
	s     string
	pos   int
	depth int
}

func (ps *parser) errorf(off int, msg string) *SyntaxError {
	return &SyntaxError{Path: ps.s, Offset: off, Msg: msg}
}

func (ps *parser) peek() byte {
	if ps.pos < len(ps.s) {
		return ps.s[ps.pos]
	}
	return 0
}

func (ps *parser) more() bool { return ps.pos < len(ps.s) }

func (ps *parser) skipSpaces() {
	for ps.pos < len(ps.s) && (ps.s[ps.pos] == ' ' || ps.s[ps.pos] == '\t' || ps.s[ps.pos] == '\n' || ps.s[ps.pos] == '\r') {
		ps.pos++
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (ps *parser) path() (*Path, error) {
	if !strings.HasPrefix(ps.s, "$") {
		return nil, ps.errorf(0, "a path must start with '$'")
	}
	p := &Path{text: ps.s}
	ps.pos = 1
	switch {
	case ps.peek() == '$':
		p.root = RootContext
		ps.pos++
	case isIdentStart(ps.peek()):
		start := ps.pos
		for ps.more() && isIdentChar(ps.peek()) {
			ps.pos++
		}
		p.root = RootVariable
		p.variable = ps.s[start:ps.pos]
	}
	steps, err := ps.steps(false)
	if err != nil {
		return nil, err
	}
	if ps.more() {
		return nil, ps.errorf(ps.pos, "unexpected character "+strconv.QuoteRune(rune(ps.peek())))
	}
	p.steps = withKeys(steps)
	p.definite = stepsDefinite(steps)
	p.reference = p.IsReference()
	return p, nil
}

// withKeys sets the gjson key of every field step, in filters too, so that evaluation
// never hands gjson an unescaped name and never escapes one twice.
func withKeys(steps []step) []step {
	for i := range steps {
		switch steps[i].kind {
		case stepField:
			steps[i].key = gjson.Escape(steps[i].name)
		case stepFilter:
			steps[i].filter = exprWithKeys(steps[i].filter)
		}
	}
	return steps
}

func exprWithKeys(e expr) expr {
	switch e := e.(type) {
	case orExpr:
		return orExpr{exprWithKeys(e.l), exprWithKeys(e.r)}
	case andExpr:
		return andExpr{exprWithKeys(e.l), exprWithKeys(e.r)}
	case notExpr:
		return notExpr{exprWithKeys(e.x)}
	case existsExpr:
		e.p.steps = withKeys(e.p.steps)
		return e
	case cmpExpr:
		e.l.steps = withKeys(e.l.steps)
		e.r.steps = withKeys(e.r.steps)
		return e
	}
	return e
}

func stepsDefinite(steps []step) bool {
	for i, s := range steps {
		if !s.definite(i == len(steps)-1) {
			return false
		}
	}
	return true
}

// steps reads steps until the end of the text or, in a filter, until a character that
// cannot continue a path (space, operator, closing parenthesis).
func (ps *parser) steps(inFilter bool) ([]step, error) {
	var steps []step
	for ps.more() {
		if len(steps) > 0 && steps[len(steps)-1].kind == stepFunction {
			if inFilter {
				return steps, nil
			}
			return nil, ps.errorf(ps.pos, "a function must be the last step of a path")
		}
		c := ps.peek()
		switch c {
		case '.':
			start := ps.pos
			ps.pos++
			if ps.peek() == '.' {
				ps.pos++
				steps = append(steps, step{kind: stepScan})
				st, err := ps.afterScan(start)
				if err != nil {
					return nil, err
				}
				steps = append(steps, st)
				continue
			}
			if !ps.more() {
				return nil, ps.errorf(start, "a path must not end with '.'")
			}
			switch ps.peek() {
			case '*':
				ps.pos++
				steps = append(steps, step{kind: stepWildcard})
			case '[':
				st, err := ps.bracket()
				if err != nil {
					return nil, err
				}
				steps = append(steps, st)
			default:
				st, err := ps.name(inFilter, true)
				if err != nil {
					return nil, err
				}
				steps = append(steps, st)
			}
		case '[':
			st, err := ps.bracket()
			if err != nil {
				return nil, err
			}
			steps = append(steps, st)
		default:
			if inFilter {
				return steps, nil
			}
			return nil, ps.errorf(ps.pos, "expected '.' or '[' but found "+strconv.QuoteRune(rune(c)))
		}
	}
	return steps, nil
}

// afterScan reads the step that follows "..": a name, '*' or a bracket.
func (ps *parser) afterScan(start int) (step, error) {
	switch ps.peek() {
	case 0:
		return step{}, ps.errorf(start, "a path must not end with '..'")
	case '*':
		ps.pos++
		return step{kind: stepWildcard}, nil
	case '[':
		return ps.bracket()
	case '.':
		return step{}, ps.errorf(ps.pos, "unexpected '.' after '..'")
	}
	st, err := ps.name(false, false)
	if err != nil {
		return step{}, err
	}
	return st, nil
}

// nameEnds says where a dotted name stops. Jayway stops a name at '.', '[' and '(' and
// refuses spaces; inside a filter the operators and ')' end it too.
func nameEnds(c byte, inFilter bool) bool {
	switch c {
	case '.', '[', '(':
		return true
	case ' ', '\t', '\n', '\r', ')', '=', '!', '<', '>', '&', '|', ',', ']', '~':
		return inFilter
	}
	return false
}

func (ps *parser) name(inFilter, allowFunc bool) (step, error) {
	start := ps.pos
	for ps.more() && !nameEnds(ps.peek(), inFilter) {
		c := ps.peek()
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			return step{}, ps.errorf(ps.pos, "use bracket notation ['my prop'] if a name contains blank characters")
		}
		ps.pos++
	}
	name := ps.s[start:ps.pos]
	if name == "" {
		return step{}, ps.errorf(start, "expected a field name")
	}
	if ps.peek() == '(' {
		if !allowFunc || !functions[name] {
			return step{}, ps.errorf(start, "unknown function "+strconv.Quote(name))
		}
		ps.pos++
		ps.skipSpaces()
		if ps.peek() != ')' {
			return step{}, ps.errorf(ps.pos, "function "+name+"() takes no arguments")
		}
		ps.pos++
		return step{kind: stepFunction, name: name}, nil
	}
	return step{kind: stepField, name: name}, nil
}

// bracket reads a bracketed step; ps.pos is at '['.
func (ps *parser) bracket() (step, error) {
	open := ps.pos
	ps.pos++
	ps.skipSpaces()
	var st step
	switch c := ps.peek(); {
	case c == 0:
		return step{}, ps.errorf(open, "unclosed '['")
	case c == '*':
		ps.pos++
		st = step{kind: stepWildcard}
	case c == '?':
		ps.pos++
		ps.skipSpaces()
		if ps.peek() != '(' {
			return step{}, ps.errorf(ps.pos, "expected '(' after '?'")
		}
		ps.pos++
		e, err := ps.or()
		if err != nil {
			return step{}, err
		}
		ps.skipSpaces()
		if ps.peek() != ')' {
			return step{}, ps.errorf(ps.pos, "expected ')' to close the filter")
		}
		ps.pos++
		st = step{kind: stepFilter, filter: e}
	case c == '\'' || c == '"':
		var names []string
		quote := c
		for {
			n, err := ps.quoted()
			if err != nil {
				return step{}, err
			}
			names = append(names, n)
			ps.skipSpaces()
			if ps.peek() != ',' {
				break
			}
			ps.pos++
			ps.skipSpaces()
			if q := ps.peek(); q != '\'' && q != '"' {
				return step{}, ps.errorf(ps.pos, "expected a quoted name after ','")
			}
		}
		if len(names) == 1 {
			st = step{kind: stepField, name: names[0], quote: quote}
		} else {
			st = step{kind: stepFields, names: names, quote: quote}
		}
	case c == '-' || c == ':' || (c >= '0' && c <= '9'):
		var err error
		st, err = ps.indexes()
		if err != nil {
			return step{}, err
		}
	default:
		return step{}, ps.errorf(ps.pos, "unexpected character "+strconv.QuoteRune(rune(c))+" in brackets")
	}
	ps.skipSpaces()
	if ps.peek() != ']' {
		return step{}, ps.errorf(ps.pos, "expected ']'")
	}
	ps.pos++
	return st, nil
}

// quoted reads a single- or double-quoted string with backslash escapes; ps.pos is at the quote.
func (ps *parser) quoted() (string, error) {
	q := ps.peek()
	start := ps.pos
	ps.pos++
	var b strings.Builder
	for {
		if !ps.more() {
			return "", ps.errorf(start, "unterminated string")
		}
		c := ps.s[ps.pos]
		ps.pos++
		if c == q {
			return b.String(), nil
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if !ps.more() {
			return "", ps.errorf(start, "unterminated string")
		}
		e := ps.s[ps.pos]
		ps.pos++
		switch e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if ps.pos+4 > len(ps.s) {
				return "", ps.errorf(ps.pos-2, "bad \\u escape")
			}
			v, err := strconv.ParseUint(ps.s[ps.pos:ps.pos+4], 16, 32)
			if err != nil {
				return "", ps.errorf(ps.pos-2, "bad \\u escape")
			}
			ps.pos += 4
			b.WriteRune(rune(v))
		default: // \' \" \\ \/ and anything else: the character itself
			b.WriteByte(e)
		}
	}
}

// indexes reads an index, a union of indexes or a slice, up to (not including) ']'.
func (ps *parser) indexes() (step, error) {
	start := ps.pos
	for ps.more() && ps.peek() != ']' {
		c := ps.peek()
		if !(c >= '0' && c <= '9') && c != '-' && c != ':' && c != ',' && c != ' ' {
			return step{}, ps.errorf(ps.pos, "unexpected character "+strconv.QuoteRune(rune(c))+" in an index")
		}
		ps.pos++
	}
	text := ps.s[start:ps.pos]
	num := func(t string, off int) (int, error) {
		t = strings.TrimSpace(t)
		n, err := strconv.ParseInt(t, 10, 32) // Jayway reads Java ints
		if err != nil {
			return 0, ps.errorf(off, "bad index "+strconv.Quote(t))
		}
		return int(n), nil
	}
	if strings.Contains(text, ":") {
		if strings.Contains(text, ",") {
			return step{}, ps.errorf(start, "a slice cannot be part of a union")
		}
		parts := strings.Split(text, ":")
		if len(parts) > 3 {
			return step{}, ps.errorf(start, "a slice has at most three parts")
		}
		st := step{kind: stepSlice}
		var err error
		if t := strings.TrimSpace(parts[0]); t != "" {
			st.hasFrom = true
			if st.from, err = num(t, start); err != nil {
				return step{}, err
			}
		}
		if t := strings.TrimSpace(parts[1]); t != "" {
			st.hasTo = true
			if st.to, err = num(t, start); err != nil {
				return step{}, err
			}
		}
		if len(parts) == 3 {
			if t := strings.TrimSpace(parts[2]); t != "" {
				st.hasStride = true
				if st.stride, err = num(t, start); err != nil {
					return step{}, err
				}
			}
		}
		if !st.hasFrom && !st.hasTo {
			return step{}, ps.errorf(start, "a slice needs a start or an end")
		}
		return st, nil
	}
	parts := strings.Split(text, ",")
	idx := make([]int, len(parts))
	for i, t := range parts {
		n, err := num(t, start)
		if err != nil {
			return step{}, err
		}
		idx[i] = n
	}
	if len(idx) == 1 {
		return step{kind: stepIndex, index: idx[0]}, nil
	}
	return step{kind: stepIndexes, indexes: idx}, nil
}

// Filter grammar.

func (ps *parser) enter() error {
	ps.depth++
	if ps.depth > maxNesting {
		return ps.errorf(ps.pos, "filter nested too deeply")
	}
	return nil
}

func (ps *parser) or() (expr, error) {
	if err := ps.enter(); err != nil {
		return nil, err
	}
	defer func() { ps.depth-- }()
	return ps.chain("||", ps.and, func(l, r expr) expr { return orExpr{l, r} })
}

func (ps *parser) and() (expr, error) {
	return ps.chain("&&", ps.unary, func(l, r expr) expr { return andExpr{l, r} })
}

// chain parses operands separated by op, left-associative: a op b op c.
func (ps *parser) chain(op string, operand func() (expr, error), join func(l, r expr) expr) (expr, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		ps.skipSpaces()
		if !strings.HasPrefix(ps.s[ps.pos:], op) {
			return l, nil
		}
		ps.pos += len(op)
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = join(l, r)
	}
}

func (ps *parser) unary() (expr, error) {
	ps.skipSpaces()
	switch ps.peek() {
	case '!':
		if strings.HasPrefix(ps.s[ps.pos:], "!=") {
			break
		}
		ps.pos++
		if err := ps.enter(); err != nil {
			return nil, err
		}
		defer func() { ps.depth-- }()
		x, err := ps.unary()
		if err != nil {
			return nil, err
		}
		return notExpr{x}, nil
	case '(':
		ps.pos++
		x, err := ps.or()
		if err != nil {
			return nil, err
		}
		ps.skipSpaces()
		if ps.peek() != ')' {
			return nil, ps.errorf(ps.pos, "expected ')'")
		}
		ps.pos++
		return x, nil
	}
	return ps.comparison()
}

var operators = []string{"==", "!=", "<=", ">=", "<", ">"}

func (ps *parser) comparison() (expr, error) {
	start := ps.pos
	l, err := ps.operand()
	if err != nil {
		return nil, err
	}
	ps.skipSpaces()
	op := ""
	for _, o := range operators {
		if strings.HasPrefix(ps.s[ps.pos:], o) {
			op = o
			break
		}
	}
	if op == "" {
		if strings.HasPrefix(ps.s[ps.pos:], "=~") || (ps.peek() == '=' || isIdentStart(ps.peek())) {
			return nil, ps.errorf(ps.pos, "unsupported filter operator")
		}
		if l.kind != opPathAt && l.kind != opPathDoc {
			return nil, ps.errorf(start, "a filter needs a comparison or a path")
		}
		return existsExpr{l}, nil
	}
	ps.pos += len(op)
	ps.skipSpaces()
	r, err := ps.operand()
	if err != nil {
		return nil, err
	}
	return cmpExpr{op: op, l: l, r: r}, nil
}

func (ps *parser) operand() (operand, error) {
	ps.skipSpaces()
	start := ps.pos
	c := ps.peek()
	switch {
	case c == '@' || c == '$':
		ps.pos++
		steps, err := ps.steps(true)
		if err != nil {
			return operand{}, err
		}
		k := opPathAt
		if c == '$' {
			k = opPathDoc
		}
		return operand{kind: k, steps: steps, definite: stepsDefinite(steps)}, nil
	case c == '\'' || c == '"':
		s, err := ps.quoted()
		if err != nil {
			return operand{}, err
		}
		return operand{kind: opString, text: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return ps.number()
	}
	for _, kw := range []string{"true", "false", "null"} {
		if strings.HasPrefix(ps.s[ps.pos:], kw) && (ps.pos+len(kw) == len(ps.s) || !isIdentChar(ps.s[ps.pos+len(kw)])) {
			ps.pos += len(kw)
			if kw == "null" {
				return operand{kind: opNull}, nil
			}
			return operand{kind: opBool, text: kw}, nil
		}
	}
	if c == 0 {
		return operand{}, ps.errorf(start, "unexpected end of filter")
	}
	return operand{}, ps.errorf(start, "unexpected character "+strconv.QuoteRune(rune(c))+" in a filter")
}

// number reads a JSON number (the grammar of RFC 8259).
func (ps *parser) number() (operand, error) {
	start := ps.pos
	digits := func() int {
		n := 0
		for ps.more() && ps.peek() >= '0' && ps.peek() <= '9' {
			ps.pos++
			n++
		}
		return n
	}
	if ps.peek() == '-' {
		ps.pos++
	}
	if digits() == 0 {
		return operand{}, ps.errorf(start, "bad number")
	}
	if ps.peek() == '.' {
		ps.pos++
		if digits() == 0 {
			return operand{}, ps.errorf(start, "bad number")
		}
	}
	if ps.peek() == 'e' || ps.peek() == 'E' {
		ps.pos++
		if ps.peek() == '+' || ps.peek() == '-' {
			ps.pos++
		}
		if digits() == 0 {
			return operand{}, ps.errorf(start, "bad number")
		}
	}
	return operand{kind: opNumber, text: ps.s[start:ps.pos]}, nil
}
