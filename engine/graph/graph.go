// Package graph lays out a state machine as a top-to-bottom diagram: a
// layered (Sugiyama-style) layout per scope, nested Parallel branches and Map
// processors laid out inside out, and an SVG rendering of the result.
//
// The layout is deterministic (the same definition text gives the same
// Layout), pure (no I/O, no clock) and bounded: long edges get dummy nodes
// only up to a budget, so a machine of a thousand states lays out in a few
// milliseconds. The JSON shape of Layout is the StepwiseLayout response of
// engine/sfn (see /work/briefs/contracts3.md).
package graph

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stepwise-sfn/stepwise/engine/asl"
)

// Node kinds.
const (
	KindState    = "state"
	KindStart    = "start"
	KindEnd      = "end"
	KindParallel = "parallel"
	KindMap      = "map"
	KindBranch   = "branch"
)

// Edge kinds. An edge of kind start leaves a scope's start circle, one of
// kind end enters its end circle.
const (
	EdgeNext    = "next"
	EdgeChoice  = "choice"
	EdgeDefault = "default"
	EdgeCatch   = "catch"
	EdgeStart   = "start"
	EdgeEnd     = "end"
)

// Layout is a laid-out state machine. Coordinates are pixels, absolute,
// origin top-left, y growing down. Nodes lists every container before its
// children, so drawing in order paints children over their containers.
type Layout struct {
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Nodes  []Node  `json:"nodes"`
	Edges  []Edge  `json:"edges"`
}

// Node is a box, a start or end circle, or a container.
//
// ID is the state name for states (names are unique in a machine); the
// synthetic nodes are "start" and "end" at the top level and
// "<Parent>/<k>/start", "<Parent>/<k>/end" inside branch k (from 0) of the
// Parallel or Map state Parent, whose branch container is "<Parent>/<k>".
// From and To are the UTF-16 code-unit offsets of the state's
// `"Name": {...}` member in the definition text; both are 0 (and omitted
// from JSON) for synthetic nodes.
type Node struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	Type     string  `json:"type"`
	Name     string  `json:"name"`
	Label    string  `json:"label"`
	Parent   string  `json:"parent"`
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	W        float64 `json:"w"`
	H        float64 `json:"h"`
	Resource string  `json:"resource,omitempty"`
	Terminal bool    `json:"terminal,omitempty"`
	From     int     `json:"from,omitempty"`
	To       int     `json:"to,omitempty"`
}

// Edge is a transition drawn as a polyline from the source box's border to
// the target box's border (at least two points). Label is the Choice rule
// summary, the Catch error list or "Default"; LabelX, LabelY is where to
// centre it.
type Edge struct {
	From   string       `json:"from"`
	To     string       `json:"to"`
	Kind   string       `json:"kind"`
	Label  string       `json:"label,omitempty"`
	Points [][2]float64 `json:"points"`
	LabelX float64      `json:"labelX,omitempty"`
	LabelY float64      `json:"labelY,omitempty"`
}

// Sizes and spacing, in pixels.
const (
	charWidth     = 7    // average width of a box label character
	boxPadding    = 28   // horizontal padding around a box label
	minBoxWidth   = 120  //
	boxHeight     = 44   // name and type on two lines
	circleSize    = 24   // start and end circles
	margin        = 16   // around the whole drawing
	labelChar     = 6.2  // average width of an edge label character (11px)
	labelPadding  = 10   //
	labelHeight   = 16   //
	maxLabelRunes = 40   // edge labels are cut to this many characters
	containerPad  = 14   // inside a container, around its content
	parallelHead  = 30   // a Parallel or Map container's title band
	branchHead    = 22   // a branch container's title band
	branchGap     = 16   // between branch containers side by side
	maxLabelWidth = 1000 // guard against absurd label estimates
)

// New lays out def, whose definition text is text (the bytes asl.Parse
// read; they give each state's From/To offsets). It never fails: a
// transition to a state that does not exist is dropped, a definition whose
// text cannot be scanned simply has no offsets.
func New(def *asl.Definition, text []byte) *Layout {
	b := &builder{offsets: stateOffsets(text), budget: dummyBudget}
	blk := b.scope(&def.StateMachine, "", "")
	l := &Layout{
		Width:  blk.w + 2*margin,
		Height: blk.h + 2*margin,
		Nodes:  blk.nodes,
		Edges:  blk.edges,
	}
	for i := range l.Nodes {
		l.Nodes[i].X += margin
		l.Nodes[i].Y += margin
	}
	for i := range l.Edges {
		translateEdge(&l.Edges[i], margin, margin)
	}
	if l.Nodes == nil {
		l.Nodes = []Node{}
	}
	if l.Edges == nil {
		l.Edges = []Edge{}
	}
	return l
}

// dummyBudget bounds the dummy nodes of one layout: a machine whose long
// edges would need more draws the rest as straight lines.
const dummyBudget = 20000

// builder holds what the whole layout shares across scopes.
type builder struct {
	offsets map[string]span // state name -> member offsets
	budget  int             // dummy nodes left
}

// block is a laid-out scope or container: nodes and edges relative to its
// own top-left corner, and its size.
type block struct {
	nodes []Node
	edges []Edge
	w, h  float64
}

func (b *block) translate(dx, dy float64) {
	for i := range b.nodes {
		b.nodes[i].X += dx
		b.nodes[i].Y += dy
	}
	for i := range b.edges {
		translateEdge(&b.edges[i], dx, dy)
	}
}

func translateEdge(e *Edge, dx, dy float64) {
	for i := range e.Points {
		e.Points[i][0] += dx
		e.Points[i][1] += dy
	}
	if e.Label != "" {
		e.LabelX += dx
		e.LabelY += dy
	}
}

// scope lays out one state machine (the top level, a branch or a Map
// processor). prefix names its synthetic nodes ("" at the top level,
// "<Parent>/<k>/" inside a branch); parent is the container id its nodes sit in.
func (b *builder) scope(sm *asl.StateMachine, prefix, parent string) block {
	g := &lgraph{}
	index := map[string]int{}
	var inner []block // per node: a container's laid-out contents
	var nodes []Node
	add := func(n Node, w, h float64, round bool, in block) int {
		nodes = append(nodes, n)
		inner = append(inner, in)
		g.w = append(g.w, w)
		g.h = append(g.h, h)
		g.round = append(g.round, round)
		return len(nodes) - 1
	}
	start := add(Node{ID: prefix + "start", Kind: KindStart, Label: "Start", Parent: parent}, circleSize, circleSize, true, block{})
	for _, name := range sm.Order {
		st := sm.States[name]
		if st == nil {
			continue
		}
		n := Node{ID: name, Kind: KindState, Type: st.Type, Name: name, Label: name, Parent: parent,
			Terminal: st.End || st.Type == asl.TypeSucceed || st.Type == asl.TypeFail}
		if st.Type == asl.TypeTask {
			n.Resource = st.Resource
		}
		if sp, ok := b.offsets[name]; ok {
			n.From, n.To = sp.from, sp.to
		}
		w, h := boxSize(name), float64(boxHeight)
		var in block
		if c := b.container(st); c != nil {
			n.Kind = KindParallel
			if st.Type == asl.TypeMap {
				n.Kind = KindMap
			}
			in = *c
			w = max(w, in.w)
			h = in.h
		}
		if _, dup := index[name]; dup {
			// Names are unique in a valid machine; a duplicate keeps the
			// first box so the graph stays well formed.
			continue
		}
		index[name] = add(n, w, h, false, in)
	}
	end := add(Node{ID: prefix + "end", Kind: KindEnd, Label: "End", Parent: parent}, circleSize, circleSize, true, block{})
	g.start, g.end = start, end

	var kinds, labels []string
	var froms, tos []string
	edge := func(from int, target string, kind, label string) {
		to, ok := index[target]
		if !ok {
			return // dangling transition: dropped
		}
		g.edges = append(g.edges, ledge{from: from, to: to, labelW: labelWidth(label)})
		kinds = append(kinds, kind)
		labels = append(labels, label)
		froms = append(froms, nodes[from].ID)
		tos = append(tos, nodes[to].ID)
	}
	endEdge := func(from int) {
		g.edges = append(g.edges, ledge{from: from, to: end})
		kinds = append(kinds, EdgeEnd)
		labels = append(labels, "")
		froms = append(froms, nodes[from].ID)
		tos = append(tos, nodes[end].ID)
	}
	edge(start, sm.StartAt, EdgeStart, "")
	for i := 1; i < end; i++ {
		st := sm.States[nodes[i].ID]
		for _, c := range st.Choices {
			edge(i, c.Next, EdgeChoice, ruleSummary(c))
		}
		if st.Default != "" {
			edge(i, st.Default, EdgeDefault, "Default")
		}
		if st.Next != "" {
			edge(i, st.Next, EdgeNext, "")
		}
		if nodes[i].Terminal {
			endEdge(i)
		}
		for _, c := range st.Catch {
			edge(i, c.Next, EdgeCatch, errorList(c.ErrorEquals))
		}
	}

	res := layered(g, &b.budget)
	out := block{w: res.width, h: res.height}
	for i, n := range nodes {
		n.X, n.Y, n.W, n.H = res.x[i], res.y[i], g.w[i], g.h[i]
		out.nodes = append(out.nodes, n)
		if in := inner[i]; len(in.nodes) > 0 {
			// Centre the contents when the title made the box wider.
			in.translate(n.X+(n.W-in.w)/2, n.Y)
			out.nodes = append(out.nodes, in.nodes...)
			out.edges = append(out.edges, in.edges...)
		}
	}
	for i := range g.edges {
		e := Edge{From: froms[i], To: tos[i], Kind: kinds[i], Label: labels[i], Points: res.points[i]}
		if e.Label != "" {
			e.LabelX, e.LabelY = res.label[i][0], res.label[i][1]
		}
		out.edges = append(out.edges, e)
	}
	return out
}

// container lays out the branches of a Parallel state or the processor of
// a Map state side by side, as the contents of the state's box: branch
// containers and everything in them, relative to the box's top-left
// corner. It returns nil for any other state, and for a Parallel without
// branches (drawn as a plain box).
func (b *builder) container(st *asl.State) *block {
	var branches []*asl.StateMachine
	switch st.Type {
	case asl.TypeParallel:
		branches = st.Branches
	case asl.TypeMap:
		if st.ItemProcessor != nil {
			branches = []*asl.StateMachine{st.ItemProcessor}
		}
	}
	if len(branches) == 0 {
		return nil
	}
	out := block{}
	x := float64(containerPad)
	var tallest float64
	var blocks []block
	for k, sm := range branches {
		id := st.Name + "/" + strconv.Itoa(k)
		in := b.scope(sm, id+"/", id)
		label := "Branch " + strconv.Itoa(k+1)
		if st.Type == asl.TypeMap {
			label = "Iterator"
		}
		w := max(in.w+2*containerPad, float64(utf8.RuneCountInString(label))*charWidth+2*containerPad)
		in.translate((w-in.w)/2, branchHead)
		c := Node{ID: id, Kind: KindBranch, Label: label, Parent: st.Name, X: x, Y: parallelHead, W: w}
		blocks = append(blocks, block{nodes: append([]Node{c}, in.nodes...), edges: in.edges, w: w, h: in.h + branchHead + containerPad})
		tallest = max(tallest, in.h+branchHead+containerPad)
		x += w + branchGap
	}
	for _, blk := range blocks {
		blk.nodes[0].H = tallest
		c := blk.nodes[0]
		// Children are relative to the branch container; move them into it.
		for i := 1; i < len(blk.nodes); i++ {
			blk.nodes[i].X += c.X
			blk.nodes[i].Y += c.Y
		}
		for i := range blk.edges {
			translateEdge(&blk.edges[i], c.X, c.Y)
		}
		out.nodes = append(out.nodes, blk.nodes...)
		out.edges = append(out.edges, blk.edges...)
	}
	out.w = x - branchGap + containerPad
	out.h = parallelHead + tallest + containerPad
	return &out
}

// boxSize is the width of a state box for its label.
func boxSize(label string) float64 {
	return max(minBoxWidth, float64(utf8.RuneCountInString(label))*charWidth+boxPadding)
}

// labelWidth estimates the drawn width of an edge label; 0 for none.
func labelWidth(label string) float64 {
	if label == "" {
		return 0
	}
	return min(maxLabelWidth, float64(utf8.RuneCountInString(label))*labelChar+labelPadding)
}

// errorList labels a Catch edge with its ErrorEquals, cut to fit.
func errorList(errs []string) string {
	return truncate(strings.Join(errs, ", "))
}

// truncate cuts s to maxLabelRunes characters, ending in an ellipsis.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxLabelRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxLabelRunes-1]) + "…"
}
