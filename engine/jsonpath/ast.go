package jsonpath

import (
	"strconv"
	"strings"
)

// stepKind names one step of a path, after Jayway's path tokens.
type stepKind uint8

const (
	stepField    stepKind = iota // .name or ['name']
	stepFields                   // ['a','b']: a union of names
	stepIndex                    // [3] or [-1]
	stepIndexes                  // [0,2]: a union of indexes
	stepWildcard                 // .* or [*]
	stepSlice                    // [from:to(:step)]
	stepFilter                   // [?(expr)]
	stepScan                     // .. : the next step applies to every descendant
	stepFunction                 // .length() ...; only the last step
)

// step is one parsed step. Only the fields of its kind are set.
type step struct {
	kind    stepKind
	name    string   // stepField, stepFunction
	key     string   // stepField: name escaped for gjson (gjson.Escape), computed once by the parser
	quote   byte     // stepField, stepFields: the quote written (or '\'' for a dotted name), for Jayway's form
	names   []string // stepFields
	index   int      // stepIndex
	indexes []int    // stepIndexes
	// stepSlice: Jayway reads only from and to; a third part is accepted and ignored
	// (Jayway ignores it too), kept so that the canonical form prints it back.
	from, to, stride          int
	hasFrom, hasTo, hasStride bool
	filter                    expr // stepFilter
}

// definite reports whether the step keeps a single-node path single (Jayway's isTokenDefinite).
// A union of names is definite when it is the last step (Jayway merges it into one object).
func (s step) definite(last bool) bool {
	switch s.kind {
	case stepField, stepIndex, stepFunction:
		return true
	case stepFields:
		return last
	}
	return false
}

func quoteName(b *strings.Builder, name string) {
	b.WriteByte('\'')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '\'' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('\'')
}

// writeJayway writes the step as Jayway's PathToken.toString does: names between the quote
// the path used, with backslash and single quote escaped.
func (s step) writeJayway(b *strings.Builder) {
	q := string(s.quote)
	if s.quote == 0 {
		q = "'"
	}
	esc := func(n string) string {
		return strings.ReplaceAll(strings.ReplaceAll(n, `\`, `\\`), "'", `\'`)
	}
	switch s.kind {
	case stepField:
		b.WriteString("[" + q + esc(s.name) + q + "]")
	case stepFields:
		b.WriteByte('[')
		for i, n := range s.names {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(q + esc(n) + q)
		}
		b.WriteByte(']')
	default:
		s.writeCanonical(b)
	}
}

// writeCanonical writes the step so that parsing the text gives the same step back.
func (s step) writeCanonical(b *strings.Builder) {
	switch s.kind {
	case stepField:
		b.WriteByte('[')
		quoteName(b, s.name)
		b.WriteByte(']')
	case stepFields:
		b.WriteByte('[')
		for i, n := range s.names {
			if i > 0 {
				b.WriteByte(',')
			}
			quoteName(b, n)
		}
		b.WriteByte(']')
	case stepIndex:
		b.WriteString("[" + strconv.Itoa(s.index) + "]")
	case stepIndexes:
		b.WriteByte('[')
		for i, n := range s.indexes {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
		b.WriteByte(']')
	case stepWildcard:
		b.WriteString("[*]")
	case stepSlice:
		b.WriteByte('[')
		if s.hasFrom {
			b.WriteString(strconv.Itoa(s.from))
		}
		b.WriteByte(':')
		if s.hasTo {
			b.WriteString(strconv.Itoa(s.to))
		}
		if s.hasStride {
			b.WriteString(":" + strconv.Itoa(s.stride))
		}
		b.WriteByte(']')
	case stepFilter:
		b.WriteString("[?(")
		s.filter.write(b)
		b.WriteString(")]")
	case stepScan:
		b.WriteString("..")
	case stepFunction:
		b.WriteString("." + s.name + "()")
	}
}

// Canonical returns p in a normalised bracket form ("$['a'][0][*]", "$$['Execution']",
// "$var['x']"). Parsing the canonical form gives an equal path; fuzz tests rely on it.
func (p *Path) Canonical() string {
	var b strings.Builder
	b.WriteString(p.rootText())
	writeSteps(&b, p.steps)
	return b.String()
}

func writeSteps(b *strings.Builder, steps []step) {
	for _, s := range steps {
		s.writeCanonical(b)
	}
}

func (p *Path) rootText() string {
	switch p.root {
	case RootContext:
		return "$$"
	case RootVariable:
		return "$" + p.variable
	}
	return "$"
}

// Filter expressions, after Jayway's filter grammar:
// or := and ('||' and)*; and := unary ('&&' unary)*; unary := '!' unary | '(' or ')' | cmp;
// cmp := operand (op operand)?  (no operator: the path exists).
type expr interface {
	write(b *strings.Builder)
}

type orExpr struct{ l, r expr }
type andExpr struct{ l, r expr }
type notExpr struct{ x expr }
type existsExpr struct{ p operand }
type cmpExpr struct {
	op   string // == != < <= > >=
	l, r operand
}

// operandKind says what an operand of a filter comparison is.
type operandKind uint8

const (
	opNumber  operandKind = iota // text holds the number as written
	opString                     // text holds the unescaped string
	opBool                       // text is "true" or "false"
	opNull                       //
	opPathAt                     // @...: relative to the item being filtered; steps
	opPathDoc                    // $...: relative to the document root; steps
)

type operand struct {
	kind     operandKind
	text     string
	steps    []step
	definite bool
}

func (e orExpr) write(b *strings.Builder) {
	b.WriteByte('(')
	e.l.write(b)
	b.WriteString(" || ")
	e.r.write(b)
	b.WriteByte(')')
}

func (e andExpr) write(b *strings.Builder) {
	b.WriteByte('(')
	e.l.write(b)
	b.WriteString(" && ")
	e.r.write(b)
	b.WriteByte(')')
}

func (e notExpr) write(b *strings.Builder) {
	b.WriteString("!(")
	e.x.write(b)
	b.WriteByte(')')
}

func (e existsExpr) write(b *strings.Builder) { e.p.write(b) }

func (e cmpExpr) write(b *strings.Builder) {
	e.l.write(b)
	b.WriteString(" " + e.op + " ")
	e.r.write(b)
}

func (o operand) write(b *strings.Builder) {
	switch o.kind {
	case opNumber, opBool:
		b.WriteString(o.text)
	case opNull:
		b.WriteString("null")
	case opString:
		quoteName(b, o.text)
	case opPathAt:
		b.WriteByte('@')
		writeSteps(b, o.steps)
	case opPathDoc:
		b.WriteByte('$')
		writeSteps(b, o.steps)
	}
}
