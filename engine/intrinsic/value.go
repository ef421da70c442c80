package intrinsic

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is the JSON type of a value.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// value is a decoded JSON value. Objects keep their members in input order
// (AWS's Jackson LinkedHashMap does too), and numbers keep their text so a value
// passed through an intrinsic comes out as it went in.
type value struct {
	kind kind
	b    bool
	s    string // string contents, or number text
	arr  []value
	obj  []member
}

type member struct {
	key string
	val value
}

var (
	nullValue  = value{kind: kindNull}
	trueValue  = value{kind: kindBool, b: true}
	falseValue = value{kind: kindBool}
)

func stringValue(s string) value { return value{kind: kindString, s: s} }
func intValue(n int64) value     { return value{kind: kindNumber, s: strconv.FormatInt(n, 10)} }
func boolValue(b bool) value {
	if b {
		return trueValue
	}
	return falseValue
}

// typeName is the JSON type name used in error texts.
func (v value) typeName() string {
	switch v.kind {
	case kindNull:
		return "null"
	case kindBool:
		return "boolean"
	case kindNumber:
		return "number"
	case kindString:
		return "string"
	case kindArray:
		return "array"
	}
	return "object"
}

// maxDepth bounds nesting while decoding, so hostile input cannot exhaust the stack.
const maxDepth = 1000

// decodeError reports JSON that could not be decoded.
type decodeError struct{ msg string }

func (e *decodeError) Error() string { return e.msg }

// decode parses one JSON text. Surrounding white space is allowed; anything
// else after the value is an error.
func decode(data []byte) (value, error) {
	d := decoder{data: data}
	d.skipSpace()
	v, err := d.value(0)
	if err != nil {
		return value{}, err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return value{}, d.errorf("unexpected data after JSON value")
	}
	return v, nil
}

type decoder struct {
	data []byte
	pos  int
}

func (d *decoder) errorf(msg string) error {
	return &decodeError{msg: msg + " at offset " + strconv.Itoa(d.pos)}
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (value, error) {
	if depth > maxDepth {
		return value{}, d.errorf("JSON nested too deeply")
	}
	if d.pos >= len(d.data) {
		return value{}, d.errorf("unexpected end of JSON")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		d.pos++
		v := value{kind: kindObject, obj: []member{}}
		d.skipSpace()
		if d.pos < len(d.data) && d.data[d.pos] == '}' {
			d.pos++
			return v, nil
		}
		for {
			d.skipSpace()
			if d.pos >= len(d.data) || d.data[d.pos] != '"' {
				return value{}, d.errorf("expected object key")
			}
			k, err := d.str()
			if err != nil {
				return value{}, err
			}
			d.skipSpace()
			if d.pos >= len(d.data) || d.data[d.pos] != ':' {
				return value{}, d.errorf("expected ':'")
			}
			d.pos++
			d.skipSpace()
			m, err := d.value(depth + 1)
			if err != nil {
				return value{}, err
			}
			v.obj = setMember(v.obj, k, m)
			d.skipSpace()
			if d.pos >= len(d.data) {
				return value{}, d.errorf("unexpected end of JSON")
			}
			if d.data[d.pos] == ',' {
				d.pos++
				continue
			}
			if d.data[d.pos] == '}' {
				d.pos++
				return v, nil
			}
			return value{}, d.errorf("expected ',' or '}'")
		}
	case c == '[':
		d.pos++
		v := value{kind: kindArray, arr: []value{}}
		d.skipSpace()
		if d.pos < len(d.data) && d.data[d.pos] == ']' {
			d.pos++
			return v, nil
		}
		for {
			d.skipSpace()
			e, err := d.value(depth + 1)
			if err != nil {
				return value{}, err
			}
			v.arr = append(v.arr, e)
			d.skipSpace()
			if d.pos >= len(d.data) {
				return value{}, d.errorf("unexpected end of JSON")
			}
			if d.data[d.pos] == ',' {
				d.pos++
				continue
			}
			if d.data[d.pos] == ']' {
				d.pos++
				return v, nil
			}
			return value{}, d.errorf("expected ',' or ']'")
		}
	case c == '"':
		s, err := d.str()
		if err != nil {
			return value{}, err
		}
		return stringValue(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	default:
		for _, lit := range [...]struct {
			text string
			v    value
		}{{"true", trueValue}, {"false", falseValue}, {"null", nullValue}} {
			if strings.HasPrefix(string(d.data[d.pos:min(len(d.data), d.pos+5)]), lit.text) {
				d.pos += len(lit.text)
				return lit.v, nil
			}
		}
		return value{}, d.errorf("unexpected character")
	}
}

// setMember adds or replaces a member; a repeated key keeps its first position
// and takes the last value, as Jackson's ObjectNode does.
func setMember(obj []member, k string, v value) []member {
	for i := range obj {
		if obj[i].key == k {
			obj[i].val = v
			return obj
		}
	}
	return append(obj, member{key: k, val: v})
}

func (d *decoder) number() (value, error) {
	start := d.pos
	if d.data[d.pos] == '-' {
		d.pos++
	}
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	intStart := d.pos
	if digits() == 0 {
		return value{}, d.errorf("invalid number")
	}
	if d.data[intStart] == '0' && d.pos-intStart > 1 {
		return value{}, d.errorf("invalid number: leading zero")
	}
	integer := true
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		integer = false
		d.pos++
		if digits() == 0 {
			return value{}, d.errorf("invalid number")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		integer = false
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return value{}, d.errorf("invalid number")
		}
	}
	text := string(d.data[start:d.pos])
	if integer && strings.TrimLeft(text, "-0") == "" {
		text = "0" // Jackson reads -0 as the integer 0
	}
	return value{kind: kindNumber, s: text}, nil
}

func (d *decoder) str() (string, error) {
	d.pos++ // opening quote
	var sb strings.Builder
	for {
		if d.pos >= len(d.data) {
			return "", d.errorf("unterminated string")
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return sb.String(), nil
		case c < 0x20:
			return "", d.errorf("control character in string")
		case c == '\\':
			d.pos++
			if d.pos >= len(d.data) {
				return "", d.errorf("unterminated string")
			}
			e := d.data[d.pos]
			d.pos++
			switch e {
			case '"', '\\', '/':
				sb.WriteByte(e)
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", d.errorf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
						save := d.pos
						d.pos += 2
						lo, ok := d.hex4()
						if ok {
							r2 = utf16.DecodeRune(r, lo)
						}
						if !ok || r2 == utf8.RuneError {
							d.pos = save
							r2 = utf8.RuneError
						}
					}
					r = r2
				}
				sb.WriteRune(r)
			default:
				return "", d.errorf("invalid escape")
			}
		default:
			sb.WriteByte(c)
			d.pos++
		}
	}
}

func (d *decoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.data[d.pos:d.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	d.pos += 4
	return rune(n), true
}

// encode appends the compact JSON text of v. Strings are escaped as Jackson
// does: quote, backslash and control characters only; < > & and non-ASCII
// text stay as they are.
func (v value) encode(buf []byte) []byte {
	switch v.kind {
	case kindNull:
		return append(buf, "null"...)
	case kindBool:
		if v.b {
			return append(buf, "true"...)
		}
		return append(buf, "false"...)
	case kindNumber:
		return append(buf, v.s...)
	case kindString:
		return appendString(buf, v.s)
	case kindArray:
		buf = append(buf, '[')
		for i, e := range v.arr {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = e.encode(buf)
		}
		return append(buf, ']')
	}
	buf = append(buf, '{')
	for i, m := range v.obj {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, m.key)
		buf = append(buf, ':')
		buf = m.val.encode(buf)
	}
	return append(buf, '}')
}

const hexDigits = "0123456789ABCDEF"

// appendString writes s as AWS's intrinsic functions write strings (Jackson:
// upper-case \u escapes, invalid UTF-8 as U+FFFD), which is why it is not
// history.AppendString (the API's encoding: lower-case escapes).
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			buf = append(buf, c)
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				buf = append(buf, "\uFFFD"...)
			} else {
				buf = append(buf, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\b':
			buf = append(buf, '\\', 'b')
		case '\f':
			buf = append(buf, '\\', 'f')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
	}
	return append(buf, '"')
}

// javaString renders v as Java's toString does for the Jackson-decoded value
// AWS hands to String.format: strings bare, objects as {k=v, k2=v2}, arrays as
// [a, b]. The recorded States.Format of $$.StateMachine shows that form.
func (v value) javaString(sb *strings.Builder) {
	switch v.kind {
	case kindString:
		sb.WriteString(v.s)
	case kindArray:
		sb.WriteByte('[')
		for i, e := range v.arr {
			if i > 0 {
				sb.WriteString(", ")
			}
			e.javaString(sb)
		}
		sb.WriteByte(']')
	case kindObject:
		sb.WriteByte('{')
		for i, m := range v.obj {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(m.key)
			sb.WriteByte('=')
			m.val.javaString(sb)
		}
		sb.WriteByte('}')
	case kindNumber:
		sb.WriteString(javaNumber(v.s))
	default:
		sb.Write(v.encode(nil))
	}
}

// javaNumber renders a JSON number as Java prints the node Jackson reads
// it into: integers as written, anything with a fraction or exponent as
// Double.toString does ("1.5", "2000.0", "1.0E7", "1.0E-4").
func javaNumber(text string) string {
	if !strings.ContainsAny(text, ".eE") {
		return text
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return text
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-3 && a < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1.2345E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

// equal is JSON equality as Jackson's JsonNode.equals has it: object member
// order does not matter, numbers compare by their text.
func (v value) equal(w value) bool {
	if v.kind != w.kind {
		return false
	}
	switch v.kind {
	case kindNull:
		return true
	case kindBool:
		return v.b == w.b
	case kindNumber, kindString:
		return v.s == w.s
	case kindArray:
		if len(v.arr) != len(w.arr) {
			return false
		}
		for i := range v.arr {
			if !v.arr[i].equal(w.arr[i]) {
				return false
			}
		}
		return true
	}
	if len(v.obj) != len(w.obj) {
		return false
	}
	for _, m := range v.obj {
		found := false
		for _, n := range w.obj {
			if n.key == m.key {
				if !m.val.equal(n.val) {
					return false
				}
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
