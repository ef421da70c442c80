package intrinsic

import (
	"fmt"
	"strings"

	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

// argKind tells what an argument is written as.
type argKind uint8

const (
	argString argKind = iota
	argNumber
	argBool
	argNull
	argPath
	argCall
)

// arg is one argument of a call.
type arg struct {
	kind argKind
	raw  string // string literal as written between the quotes; number, path or keyword text
	val  value  // literal's value (string literal with escapes applied)
	path *jsonpath.Path
	call *Call
}

func (a arg) write(sb *strings.Builder) {
	switch a.kind {
	case argString:
		sb.WriteByte('\'')
		sb.WriteString(a.raw)
		sb.WriteByte('\'')
	case argCall:
		a.call.write(sb)
	default:
		sb.WriteString(a.raw)
	}
}

type parser struct {
	src string
	pos int
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Source: p.src, Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) rest() string {
	r := p.src[p.pos:]
	if len(r) > 20 {
		r = r[:20] + "..."
	}
	return r
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// call parses "States.Name(args)" at the current position.
func (p *parser) call(depth int) (*Call, error) {
	if depth > maxNesting {
		return nil, p.errorf("more than %d nested intrinsic functions", maxNesting)
	}
	start := p.pos
	if !strings.HasPrefix(p.src[p.pos:], "States.") {
		return nil, p.errorf("expected an intrinsic function name starting with States.")
	}
	p.pos += len("States.")
	for p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn := functions[name]
	if fn == nil {
		p.pos = start
		return nil, p.errorf("unknown intrinsic function %s", name)
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf("expected '(' after %s", name)
	}
	p.pos++
	c := &Call{fn: fn, src: ""}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.skipSpace()
			if p.pos >= len(p.src) {
				return nil, p.errorf("missing ')' in %s", name)
			}
			if p.src[p.pos] == ',' {
				p.pos++
				continue
			}
			if p.src[p.pos] == ')' {
				p.pos++
				break
			}
			return nil, p.errorf("expected ',' or ')' but found %q", p.rest())
		}
	}
	c.src = p.src[start:p.pos]
	if err := fn.checkArity(len(c.args)); err != "" {
		p.pos = start
		return nil, p.errorf("%s", err)
	}
	if fn.rawTemplate && c.args[0].kind == argString {
		c.args[0].val = stringValue(c.args[0].raw)
	}
	if fn.check != nil {
		if err := fn.check(c.args); err != "" {
			p.pos = start
			return nil, p.errorf("%s", err)
		}
	}
	return c, nil
}

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func (p *parser) arg(depth int) (arg, error) {
	if p.pos >= len(p.src) {
		return arg{}, p.errorf("missing argument")
	}
	c := p.src[p.pos]
	switch {
	case c == '\'':
		return p.stringLiteral()
	case c == '$':
		return p.pathArg()
	case c == '-' || c >= '0' && c <= '9':
		return p.numberLiteral()
	case strings.HasPrefix(p.src[p.pos:], "States."):
		call, err := p.call(depth + 1)
		if err != nil {
			return arg{}, err
		}
		return arg{kind: argCall, call: call, raw: call.src}, nil
	}
	for _, kw := range [...]struct {
		text string
		kind argKind
		val  value
	}{{"true", argBool, trueValue}, {"false", argBool, falseValue}, {"null", argNull, nullValue}} {
		if strings.HasPrefix(p.src[p.pos:], kw.text) {
			end := p.pos + len(kw.text)
			if end < len(p.src) && isIdentByte(p.src[end]) {
				break
			}
			p.pos = end
			return arg{kind: kw.kind, raw: kw.text, val: kw.val}, nil
		}
	}
	return arg{}, p.errorf("unexpected argument %q", p.rest())
}

// stringLiteral parses a single-quoted literal. A backslash escapes the
// reserved characters ' { } and \ ; before any other character it stays a
// backslash. The raw text is kept because States.Format tells an escaped
// brace from a placeholder.
func (p *parser) stringLiteral() (arg, error) {
	start := p.pos
	p.pos++
	var sb strings.Builder
	for {
		if p.pos >= len(p.src) {
			p.pos = start
			return arg{}, p.errorf("unterminated string literal")
		}
		c := p.src[p.pos]
		switch c {
		case '\'':
			raw := p.src[start+1 : p.pos]
			p.pos++
			return arg{kind: argString, raw: raw, val: stringValue(sb.String())}, nil
		case '\\':
			if p.pos+1 < len(p.src) && isReserved(p.src[p.pos+1]) {
				sb.WriteByte(p.src[p.pos+1])
				p.pos += 2
				continue
			}
			sb.WriteByte(c)
			p.pos++
		default:
			sb.WriteByte(c)
			p.pos++
		}
	}
}

func isReserved(c byte) bool { return c == '\'' || c == '{' || c == '}' || c == '\\' }

func (p *parser) numberLiteral() (arg, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.src) && (isIdentByte(p.src[p.pos]) || p.src[p.pos] == '.' ||
		(p.src[p.pos] == '+' || p.src[p.pos] == '-') && (p.src[p.pos-1] == 'e' || p.src[p.pos-1] == 'E')) {
		p.pos++
	}
	text := p.src[start:p.pos]
	v, err := decode([]byte(text))
	if err != nil || v.kind != kindNumber {
		p.pos = start
		return arg{}, p.errorf("invalid number %q", text)
	}
	return arg{kind: argNumber, raw: text, val: v}, nil
}

// pathArg takes the text of a path up to the ',' or ')' that ends the
// argument, skipping over brackets, parentheses and quotes inside the path
// (filters and quoted names may contain both), and parses it with jsonpath.
func (p *parser) pathArg() (arg, error) {
	start := p.pos
	depth := 0
	var quote byte
scan:
	for ; p.pos < len(p.src); p.pos++ {
		c := p.src[p.pos]
		if quote != 0 {
			if c == '\\' {
				p.pos++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '[', '(':
			depth++
		case ']', ')':
			if depth == 0 {
				break scan
			}
			depth--
		case ',':
			if depth == 0 {
				break scan
			}
		}
	}
	if quote != 0 {
		p.pos = start
		return arg{}, p.errorf("unterminated quote in path")
	}
	if p.pos > len(p.src) {
		p.pos = len(p.src)
	}
	text := strings.TrimRight(p.src[start:p.pos], " \t\n\r")
	path, err := jsonpath.Parse(text)
	if err != nil {
		p.pos = start
		return arg{}, p.errorf("invalid path %s: %v", text, err)
	}
	return arg{kind: argPath, raw: text, path: path}, nil
}
