package jsonpath

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Set returns doc with the node p names replaced by value (valid JSON), as ResultPath does:
// p must be a reference path (else error); "$" returns value itself; missing object fields
// along the way are created; setting into something that is not an object (or an index
// past the end of an array) returns *SetError. doc is not modified.
//
// The new document is doc with one byte range replaced (or one member inserted), so the
// rest of the text, key order and number spelling included, is kept.
func Set(doc []byte, p *Path, value []byte) ([]byte, error) {
	if !p.IsReference() {
		return nil, &SetError{Path: p.text, Msg: "not a reference path"}
	}
	if len(p.steps) == 0 {
		return append([]byte(nil), value...), nil
	}
	s := docString(doc)
	trimmed := strings.TrimLeft(s, " \t\r\n")
	rootRaw := strings.TrimSpace(trimmed)
	node := gjson.Parse(rootRaw)
	lead := len(s) - len(trimmed) // offset of rootRaw in doc
	off := lead                   // offset of node.Raw in doc
	// locate checks that gjson's Index (relative to rootRaw) really points at v.
	locate := func(v gjson.Result) bool {
		return v.Index > 0 && v.Index+len(v.Raw) <= len(rootRaw) && rootRaw[v.Index:v.Index+len(v.Raw)] == v.Raw
	}
	for i, st := range p.steps {
		switch st.kind {
		case stepField:
			if !node.IsObject() {
				return nil, &SetError{Path: p.text, Msg: "cannot set field " + quoteJSON(st.name) + " on a value that is not an object"}
			}
			v, ok := fieldKey(node, st.name, st.key)
			if !ok {
				return insertMember(doc, off, node, p.steps[i:], value, p.text)
			}
			if !locate(v) {
				return nil, &SetError{Path: p.text, Msg: "cannot locate field " + quoteJSON(st.name)}
			}
			off = lead + v.Index
			node = v
		case stepIndex:
			if !node.IsArray() {
				return nil, &SetError{Path: p.text, Msg: "cannot set an index on a value that is not an array"}
			}
			v, ok := element(node, st.index)
			if !ok {
				return nil, &SetError{Path: p.text, Msg: "index out of bounds"}
			}
			if !locate(v) {
				return nil, &SetError{Path: p.text, Msg: "cannot locate the element"}
			}
			off = lead + v.Index
			node = v
		}
	}
	out := make([]byte, 0, len(doc)-len(node.Raw)+len(value))
	out = append(out, doc[:off]...)
	out = append(out, value...)
	out = append(out, doc[off+len(node.Raw):]...)
	return out, nil
}

// insertMember adds the missing field rest[0] to object obj (at offset off in doc), with
// the remaining steps (all fields) created as nested objects around value.
func insertMember(doc []byte, off int, obj gjson.Result, rest []step, value []byte, path string) ([]byte, error) {
	var b strings.Builder
	for i, st := range rest {
		if st.kind != stepField {
			return nil, &SetError{Path: path, Msg: "cannot create an array element"}
		}
		if i > 0 {
			b.WriteByte('{')
		}
		b.WriteString(quoteJSON(st.name))
		b.WriteByte(':')
	}
	b.Write(value)
	for range rest[1:] {
		b.WriteByte('}')
	}
	member := b.String()
	// Insert before the closing brace; a comma is needed unless the object is empty.
	closing := off + len(obj.Raw) - 1
	empty := strings.TrimSpace(obj.Raw[1:len(obj.Raw)-1]) == ""
	out := make([]byte, 0, len(doc)+len(member)+1)
	out = append(out, doc[:closing]...)
	if !empty {
		out = append(out, ',')
	}
	out = append(out, member...)
	out = append(out, doc[closing:]...)
	return out, nil
}
