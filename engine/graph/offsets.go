package graph

import (
	"encoding/json"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// span is where a state's `"Name": {...}` member sits in the definition
// text, in UTF-16 code units (what JavaScript editors count).
type span struct{ from, to int }

// stateOffsets finds every state member of a definition text: the members
// of "States" at the top level, in each of a Parallel's "Branches" and in a
// Map's "ItemProcessor" (or legacy "Iterator"), at any depth. A name
// written twice maps to its last member, the one json.Unmarshal (and so
// asl.Parse) keeps. Text that is not valid JSON gives no offsets.
func stateOffsets(text []byte) map[string]span {
	s := &scanner{text: text}
	out := map[string]span{}
	var bytesAt []int
	type found struct {
		name     string
		from, to int
	}
	var all []found
	var machine func(depth int) bool
	// state reads a state object, descending into its nested machines.
	state := func(depth int) bool {
		return s.object(func(key string) bool {
			switch key {
			case "Branches":
				return s.array(func() bool { return machine(depth + 1) })
			case "ItemProcessor", "Iterator":
				return machine(depth + 1)
			}
			return s.skip()
		})
	}
	machine = func(depth int) bool {
		if depth > 100 {
			return false
		}
		return s.object(func(key string) bool {
			if key != "States" {
				return s.skip()
			}
			return s.object(func(name string) bool {
				from := s.keyStart
				if !state(depth) {
					return false
				}
				all = append(all, found{name, from, s.pos})
				bytesAt = append(bytesAt, from, s.pos)
				return true
			})
		})
	}
	if !machine(0) {
		return out
	}
	units := utf16Offsets(text, bytesAt)
	for _, f := range all {
		out[f.name] = span{units[f.from], units[f.to]}
	}
	return out
}

// utf16Offsets converts byte offsets of text to UTF-16 code-unit offsets
// in one pass.
func utf16Offsets(text []byte, at []int) map[int]int {
	at = slices.Clone(at)
	slices.Sort(at)
	out := make(map[int]int, len(at))
	b, u := 0, 0
	for _, want := range at {
		for b < want && b < len(text) {
			r, size := utf8.DecodeRune(text[b:])
			b += size
			if n := utf16.RuneLen(r); n > 0 {
				u += n
			} else {
				u++ // an invalid byte is one U+FFFD
			}
		}
		out[want] = u
	}
	return out
}

// scanner walks a JSON text just far enough to find member offsets. Each
// method consumes one value (after leading space) and reports false on
// anything that is not valid JSON.
type scanner struct {
	text     []byte
	pos      int
	keyStart int // byte offset of the opening quote of the last object key
}

func (s *scanner) space() {
	for s.pos < len(s.text) {
		switch s.text[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.space()
	if s.pos < len(s.text) {
		return s.text[s.pos]
	}
	return 0
}

// object reads an object, calling member for each key with the position
// just after its colon. A value that is not an object is skipped and
// reports true, so a wrong shape simply yields no offsets below it.
func (s *scanner) object(member func(key string) bool) bool {
	if s.peek() != '{' {
		return s.skip()
	}
	s.pos++
	if s.peek() == '}' {
		s.pos++
		return true
	}
	for {
		s.space()
		s.keyStart = s.pos
		raw, ok := s.str()
		if !ok {
			return false
		}
		var key string
		if json.Unmarshal(raw, &key) != nil {
			return false
		}
		if s.peek() != ':' {
			return false
		}
		s.pos++
		if !member(key) {
			return false
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// array reads an array, calling item for each element; anything else is
// skipped.
func (s *scanner) array(item func() bool) bool {
	if s.peek() != '[' {
		return s.skip()
	}
	s.pos++
	if s.peek() == ']' {
		s.pos++
		return true
	}
	for {
		if !item() {
			return false
		}
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// str reads a string and returns it with its quotes.
func (s *scanner) str() ([]byte, bool) {
	if s.peek() != '"' {
		return nil, false
	}
	start := s.pos
	s.pos++
	for s.pos < len(s.text) {
		switch s.text[s.pos] {
		case '\\':
			s.pos += 2
		case '"':
			s.pos++
			return s.text[start:s.pos], true
		default:
			s.pos++
		}
	}
	return nil, false
}

// skip reads any value.
func (s *scanner) skip() bool {
	switch c := s.peek(); {
	case c == '{':
		return s.object(func(string) bool { return s.skip() })
	case c == '[':
		return s.array(s.skip)
	case c == '"':
		_, ok := s.str()
		return ok
	case c == 0:
		return false
	default:
		start := s.pos
		for s.pos < len(s.text) {
			switch s.text[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return s.pos > start
			}
			s.pos++
		}
		return s.pos > start
	}
}
