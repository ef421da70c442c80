// Package jsonpath implements the JsonPath dialect of the Amazon States Language
// (InputPath, OutputPath, ResultPath, ItemsPath, Parameters "key.$" values ...).
//
// AWS evaluates paths with Jayway JsonPath (Java); this package parses paths with its
// own lexer and parser into an AST and evaluates them on JSON bytes with gjson/sjson,
// matching Jayway's results. It is the only package in the module that imports
// gjson and sjson: user paths are never handed to gjson as written, only as escaped
// single-key lookups, so gjson's own query syntax (# @ | * ?) can never leak in.
package jsonpath

import (
	"fmt"
	"strings"
)

// Root says which document a path reads.
type Root int

const (
	RootInput    Root = iota // $  : the state input (or whatever document the caller gives)
	RootContext              // $$ : the context object
	RootVariable             // $name : a workflow variable (name in Path.Variable())
)

// Path is a parsed ASL path. Immutable; safe for concurrent use.
type Path struct {
	text     string
	root     Root
	variable string
	steps    []step
	definite bool
	// reference caches IsReference: Get takes a direct walk for such paths.
	reference bool
}

// String returns the text the path was parsed from.
func (p *Path) String() string { return p.text }

// Root returns which document the path reads.
func (p *Path) Root() Root { return p.root }

// Variable returns the variable name for RootVariable, else "".
func (p *Path) Variable() string { return p.variable }

// IsRoot reports whether the path is the bare root ("$", "$$" or "$var") with no steps.
func (p *Path) IsRoot() bool { return len(p.steps) == 0 }

// IsReference reports whether p is a Reference Path: only field names and non-negative integer
// indexes (no wildcard, filter, slice, union, descendant or function), so it names one node.
func (p *Path) IsReference() bool {
	for _, s := range p.steps {
		switch s.kind {
		case stepField:
		case stepIndex:
			if s.index < 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// IsDefinite reports whether the path selects at most one node (Jayway's "definite path"):
// Get then returns that node itself rather than an array of matches.
func (p *Path) IsDefinite() bool { return p.definite }

// NotFoundError reports that a definite path selected nothing. Path is the text of the path.
type NotFoundError struct {
	Path   string
	jayway string
}

// Error returns Jayway's wording, "No results for path: $['a']".
func (e *NotFoundError) Error() string { return "No results for path: " + e.jayway }

// Jayway returns the normalised Jayway form of the path, e.g. "$['NoSuchInputPath']" or
// "$['a']['b'][0]", which AWS quotes in error causes.
func (e *NotFoundError) Jayway() string { return e.jayway }

// SyntaxError reports a path that does not parse. Offset is the byte offset in Path where
// the problem was found.
type SyntaxError struct {
	Path   string
	Offset int
	Msg    string
}

// Error returns the message with the path and offset.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid path %q at offset %d: %s", e.Path, e.Offset, e.Msg)
}

// SetError reports that Set could not place a value at the path (not a reference path,
// or an intermediate node that is not an object, or an index past the end of an array).
type SetError struct {
	Path string
	Msg  string
}

// Error returns the message with the path.
func (e *SetError) Error() string { return fmt.Sprintf("cannot set path %q: %s", e.Path, e.Msg) }

// jaywayString renders steps in Jayway's normalised form: $['a'][0][*] ...
func jaywayString(root string, steps []step) string {
	var b strings.Builder
	b.WriteString(root)
	for _, s := range steps {
		s.writeJayway(&b)
	}
	return b.String()
}
