package sfn

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/stepwise-sfn/stepwise/engine/jsonpath"
)

// decodeStrings is decodeRequest's fast path for requests whose fields are
// all *string (StartExecution, SendTaskSuccess, the Describe calls ...) and
// whose body is an object of plain string members. encoding/json checks a
// body byte by byte through a function value before decoding it, which
// under GOOS=js made reading a StartExecution with a 256 KiB input half of
// the payload-256k workload. It reports false, having set nothing, for
// anything it does not handle exactly as json.Unmarshal would (a member
// that is not a string, a name that is not a field's exact tag, \u
// escapes, invalid UTF-8), and the caller decodes with encoding/json.
// FuzzDecodeStrings checks it against json.Unmarshal.
func decodeStrings(body []byte, dst any) bool {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return false
	}
	fields := stringFields(v.Elem().Type())
	if fields == nil || !jsonpath.Valid(body) {
		return false
	}
	type member struct {
		field int
		value string
	}
	var members [8]member
	found := members[:0]
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return false
	}
	i = skipSpace(body, i+1)
	if body[i] == '}' {
		return true
	}
	for {
		// body is valid JSON, so a key string, ':' and a value follow.
		end := stringEnd(body, i)
		key := body[i+1 : end-1]
		field, ok := fields[string(key)]
		if !ok {
			return false
		}
		i = skipSpace(body, skipSpace(body, end)+1)
		if body[i] != '"' {
			return false
		}
		end = stringEnd(body, i)
		s, ok := unquote(body[i+1 : end-1])
		if !ok {
			return false
		}
		found = append(found, member{field, s})
		i = skipSpace(body, end)
		if body[i] == '}' {
			break
		}
		i = skipSpace(body, i+1)
	}
	st := v.Elem()
	for _, m := range found {
		s := m.value
		st.Field(m.field).Set(reflect.ValueOf(&s))
	}
	return true
}

// stringFieldsCache maps a request type to its fields by JSON name, or to
// nil when not every field is a *string.
var stringFieldsCache sync.Map // reflect.Type -> map[string]int

func stringFields(t reflect.Type) map[string]int {
	if m, ok := stringFieldsCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	strPtr := reflect.TypeFor[*string]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type != strPtr || !f.IsExported() || name == "" || name == "-" {
			m = nil
			break
		}
		m[name] = i
	}
	stringFieldsCache.Store(t, m)
	return m
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the closing quote of the valid JSON
// string starting at b[i].
func stringEnd(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
}

// unquote decodes the inside of a valid JSON string. It declines \u
// escapes and invalid UTF-8, which encoding/json handles with its own
// replacement rules.
func unquote(raw []byte) (string, bool) {
	if !utf8.Valid(raw) {
		return "", false
	}
	esc := bytes.IndexByte(raw, '\\')
	if esc < 0 {
		return string(raw), true
	}
	out := make([]byte, 0, len(raw))
	for esc >= 0 {
		out = append(out, raw[:esc]...)
		var c byte
		switch raw[esc+1] {
		case '"', '\\', '/':
			c = raw[esc+1]
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default: // 'u'
			return "", false
		}
		out = append(out, c)
		raw = raw[esc+2:]
		esc = bytes.IndexByte(raw, '\\')
	}
	return string(append(out, raw...)), true
}
