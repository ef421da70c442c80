package jsonpath

// Valid and Compact check and strip JSON texts in one tight loop each. They
// do what encoding/json's Valid and Compact do, and are differential-fuzzed
// against them (FuzzCompact), but encoding/json's scanner calls a function
// per byte: under GOOS=js that made checking and compacting a 256 KiB
// execution input 50% of the payload-256k workload, against 5% natively.

// maxDepth is encoding/json's nesting limit: deeper texts are not valid.
const maxDepth = 10000

// Valid reports whether src is one JSON value with optional white space
// around it, as json.Valid does.
func Valid(src []byte) bool {
	_, ok := scan(src)
	return ok
}

// Compact returns src without insignificant white space (src itself when
// it has none) and whether src is valid JSON. An invalid src is returned
// unchanged.
func Compact(src []byte) ([]byte, bool) {
	spaced, ok := scan(src)
	if !ok || !spaced {
		return src, ok
	}
	out := make([]byte, 0, len(src))
	start := 0 // src[start:i] is yet to be copied
	for i := 0; i < len(src); {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			out = append(out, src[start:i]...)
			for i++; i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r'); i++ {
			}
			start = i
		case '"':
			i = stringEnd(src, i)
		default:
			i++
		}
	}
	return append(out, src[start:]...), true
}

// stringEnd returns the index after the closing quote of the (valid)
// string that starts at src[i].
func stringEnd(src []byte, i int) int {
	for i++; ; i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
}

// scan validates src and reports whether it has white space outside
// strings.
func scan(src []byte) (spaced, ok bool) {
	var stack []byte // open containers: '{' or '['
	i, n := 0, len(src)
	skip := func() {
		for i < n && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
			i++
			spaced = true
		}
	}
	skip()
value:
	if i >= n {
		return spaced, false
	}
	switch c := src[i]; c {
	case '{', '[':
		if len(stack) >= maxDepth {
			return spaced, false
		}
		stack = append(stack, c)
		i++
		skip()
		if i < n && src[i] == c+2 { // '}' is '{'+2, ']' is '['+2
			i++
			stack = stack[:len(stack)-1]
			goto next
		}
		if c == '{' {
			goto key
		}
		goto value
	case '"':
		if i, ok = scanString(src, i); !ok {
			return spaced, false
		}
	case 't':
		if i, ok = literal(src, i, "true"); !ok {
			return spaced, false
		}
	case 'f':
		if i, ok = literal(src, i, "false"); !ok {
			return spaced, false
		}
	case 'n':
		if i, ok = literal(src, i, "null"); !ok {
			return spaced, false
		}
	default:
		if i, ok = scanNumber(src, i); !ok {
			return spaced, false
		}
	}
next:
	skip()
	if len(stack) == 0 {
		return spaced, i == n
	}
	if i >= n {
		return spaced, false
	}
	switch top := stack[len(stack)-1]; src[i] {
	case ',':
		i++
		skip()
		if top == '{' {
			goto key
		}
		goto value
	case top + 2:
		i++
		stack = stack[:len(stack)-1]
		goto next
	default:
		return spaced, false
	}
key:
	if i >= n || src[i] != '"' {
		return spaced, false
	}
	if i, ok = scanString(src, i); !ok {
		return spaced, false
	}
	skip()
	if i >= n || src[i] != ':' {
		return spaced, false
	}
	i++
	skip()
	goto value
}

// scanString checks the string starting at src[i] (a quote) and returns
// the index after it.
func scanString(src []byte, i int) (int, bool) {
	for i++; i < len(src); i++ {
		switch c := src[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			i++
			if i >= len(src) {
				return i, false
			}
			switch src[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(src) {
					return i, false
				}
				for _, h := range src[i+1 : i+5] {
					if !isHex(h) {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func literal(src []byte, i int, word string) (int, bool) {
	if len(src)-i < len(word) || string(src[i:i+len(word)]) != word {
		return i, false
	}
	return i + len(word), true
}

// scanNumber checks the number starting at src[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(src []byte, i int) (int, bool) {
	n := len(src)
	if i < n && src[i] == '-' {
		i++
	}
	switch {
	case i < n && src[i] == '0':
		i++
	case i < n && '1' <= src[i] && src[i] <= '9':
		for i++; i < n && isDigit(src[i]); i++ {
		}
	default:
		return i, false
	}
	if i < n && src[i] == '.' {
		i++
		if i >= n || !isDigit(src[i]) {
			return i, false
		}
		for i++; i < n && isDigit(src[i]); i++ {
		}
	}
	if i < n && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < n && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= n || !isDigit(src[i]) {
			return i, false
		}
		for i++; i < n && isDigit(src[i]); i++ {
		}
	}
	return i, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
