package graph

import (
	"cmp"
	"math"
	"slices"
)

// lgraph is one scope's graph as the layered layout sees it: boxes of a
// given size and directed edges between them, indexed by position.
type lgraph struct {
	w, h       []float64
	round      []bool // circles: every edge meets them at the centre
	edges      []ledge
	start, end int // the scope's start and end circles
}

// ledge is an edge of an lgraph; labelW is the width of its label (0: none).
type ledge struct {
	from, to int
	labelW   float64
}

// lresult is a laid-out lgraph: top-left corners, the drawing's size, one
// polyline and one label centre per edge, in lgraph order.
type lresult struct {
	x, y          []float64
	width, height float64
	points        [][][2]float64
	label         [][2]float64
}

// Spacing of the layered layout, in pixels.
const (
	nodeSep    = 36 // between two boxes in a layer
	dummySep   = 14 // between a long edge and its neighbours
	dummyWidth = 8  // the room a long edge takes in a layer
	layerGap   = 44 // between layers
	labelGap   = 64 // between layers when a labelled edge crosses the gap
	loopOut    = 24 // how far a self-loop reaches out of its box
	loopHalf   = 8  // half the height of a self-loop
	portSpread = 22 // between the ports of edges sharing a box side
	sweeps     = 8  // barycenter sweep pairs (down, up) at most
	placeIters = 10 // coordinate placement rounds
)

// layered lays g out top to bottom in the Sugiyama style: break cycles by
// a DFS from the start (back edges reversed), assign layers by longest
// path, split long edges with dummy nodes (while *budget lasts), reduce
// crossings with barycenter sweeps, place boxes compactly and centred over
// their neighbours, then route edges through their dummies. Every step
// iterates slices in a fixed order, so the result is deterministic.
func layered(g *lgraph, budget *int) lresult {
	n := len(g.w)
	reversed, pre := breakCycles(g)
	layer := assignLayers(g, reversed, pre)

	// Proper layering: chains of nodes, one per edge, in DAG direction.
	W := slices.Clone(g.w)
	H := slices.Clone(g.h)
	L := layer
	key := make([]float64, n) // initial order within a layer
	for v := range n {
		key[v] = float64(pre[v])
	}
	chains := make([][]int, len(g.edges))
	for i, e := range g.edges {
		if e.from == e.to {
			continue
		}
		a, b := e.from, e.to
		if reversed[i] {
			a, b = b, a
		}
		chain := []int{a}
		if span := L[b] - L[a]; span > 1 && *budget >= span-1 {
			*budget -= span - 1
			for l := L[a] + 1; l < L[b]; l++ {
				chain = append(chain, len(W))
				W = append(W, dummyWidth)
				H = append(H, 0)
				L = append(L, l)
				key = append(key, float64(pre[a])+0.5)
			}
		}
		chains[i] = append(chain, b)
	}
	total := len(W)
	dummy := func(v int) bool { return v >= n }

	// Neighbours across adjacent layers, with weights favouring straight
	// long edges.
	upN := make([][]int, total)
	downN := make([][]int, total)
	for _, c := range chains {
		for j := 0; j+1 < len(c); j++ {
			u, v := c[j], c[j+1]
			if L[v] != L[u]+1 {
				continue // a long edge past the dummy budget: drawn straight
			}
			downN[u] = append(downN[u], v)
			upN[v] = append(upN[v], u)
		}
	}
	weight := func(u, v int) float64 {
		switch {
		case dummy(u) && dummy(v):
			return 8
		case dummy(u) || dummy(v):
			return 2
		}
		return 1
	}

	layers := orderLayers(L, key, upN, downN)
	pos := make([]int, total)
	for _, ly := range layers {
		for i, v := range ly {
			pos[v] = i
		}
	}

	// Horizontal placement (centres).
	cx := make([]float64, total)
	sep := func(u, v int) float64 {
		if dummy(u) || dummy(v) {
			return dummySep
		}
		return nodeSep
	}
	for _, ly := range layers {
		x := 0.0
		for i, v := range ly {
			if i > 0 {
				x += W[ly[i-1]]/2 + sep(ly[i-1], v) + W[v]/2
			}
			cx[v] = x
		}
	}
	desired := make([]float64, total)
	wsum := make([]float64, total)
	pass := func(ly []int, sides ...[][]int) {
		for _, v := range ly {
			d, s := 0.0, 0.0
			for _, adj := range sides {
				for _, u := range adj[v] {
					w := weight(u, v)
					d += w * cx[u]
					s += w
				}
			}
			if s == 0 {
				desired[v], wsum[v] = cx[v], 0.05
			} else {
				desired[v], wsum[v] = d/s, s
			}
		}
		isotonic(ly, desired, wsum, W, sep, cx)
	}
	for range placeIters {
		for l := 1; l < len(layers); l++ {
			pass(layers[l], upN)
		}
		for l := len(layers) - 2; l >= 0; l-- {
			pass(layers[l], downN)
		}
	}
	for l := range layers {
		pass(layers[l], upN, downN)
	}

	// Vertical placement: layer bands, gaps tall enough to give every
	// label crossing them a row of its own.
	gapOf := make([]int, len(g.edges)) // the gap a label sits in; -1: none
	labels := make([]int, len(layers))
	for i, e := range g.edges {
		gapOf[i] = -1
		if e.labelW == 0 || e.from == e.to {
			continue
		}
		gap := L[e.from]
		if reversed[i] {
			gap--
		}
		if gap >= 0 && gap < len(layers) {
			gapOf[i] = gap
			labels[gap]++
		}
	}
	top := make([]float64, len(layers)+1)
	band := make([]float64, len(layers))
	for l, ly := range layers {
		for _, v := range ly {
			band[l] = max(band[l], H[v])
		}
		gap := float64(layerGap)
		if labels[l] > 0 {
			gap = max(labelGap, float64(labels[l])*(labelHeight+4)+24)
		}
		top[l+1] = top[l] + band[l] + gap
	}
	x := make([]float64, total)
	y := make([]float64, total)
	for v := range total {
		x[v] = math.Round(cx[v] - W[v]/2)
		y[v] = math.Round(top[L[v]] + (band[L[v]]-H[v])/2)
	}
	centre := func(v int) float64 { return x[v] + W[v]/2 }

	// Ports: edges sharing a box side are spread along it, ordered by where
	// they go, so parallel edges and their labels do not coincide.
	portX := make([][2]float64, len(g.edges)) // [upper end, lower end]
	type port struct {
		edge  int
		other float64
	}
	bottom := make([][]port, n)
	topSide := make([][]port, n)
	for i, c := range chains {
		if c == nil {
			continue
		}
		bottom[c[0]] = append(bottom[c[0]], port{i, centre(c[1])})
		topSide[c[len(c)-1]] = append(topSide[c[len(c)-1]], port{i, centre(c[len(c)-2])})
	}
	spread := func(v int, ports []port, end int) {
		slices.SortStableFunc(ports, func(a, b port) int { return cmp.Compare(a.other, b.other) })
		k := len(ports)
		span := 0.0
		if k > 1 && !g.round[v] {
			span = min(W[v]*0.7, float64(k-1)*portSpread)
		}
		for j, p := range ports {
			px := centre(v)
			if k > 1 {
				px += -span/2 + span*float64(j)/float64(k-1)
			}
			portX[p.edge][end] = math.Round(px)
		}
	}
	for v := range n {
		spread(v, bottom[v], 0)
		spread(v, topSide[v], 1)
	}

	res := lresult{x: x[:n], y: y[:n], points: make([][][2]float64, len(g.edges)), label: make([][2]float64, len(g.edges))}
	segOf := make([]int, len(g.edges)) // the polyline segment crossing the label's gap
	for i, e := range g.edges {
		if e.from == e.to {
			v := e.from
			x0, cy := x[v]+W[v], y[v]+H[v]/2
			res.points[i] = [][2]float64{{x0, cy - loopHalf}, {x0 + loopOut, cy - loopHalf}, {x0 + loopOut, cy + loopHalf}, {x0, cy + loopHalf}}
			res.label[i] = [2]float64{x0 + loopOut + 4 + e.labelW/2, cy}
			continue
		}
		c := chains[i]
		a, b := c[0], c[len(c)-1]
		pts := [][2]float64{{portX[i][0], y[a] + H[a]}}
		if bb := top[L[a]] + band[L[a]]; y[a]+H[a] < bb {
			pts = append(pts, [2]float64{portX[i][0], bb})
		}
		firstGap := len(pts) - 1
		for _, d := range c[1 : len(c)-1] {
			pts = append(pts, [2]float64{centre(d), top[L[d]]}, [2]float64{centre(d), top[L[d]] + band[L[d]]})
		}
		if y[b] > top[L[b]] {
			pts = append(pts, [2]float64{portX[i][1], top[L[b]]})
		}
		pts = append(pts, [2]float64{portX[i][1], y[b]})
		lastGap := len(pts) - 2
		if y[b] > top[L[b]] {
			lastGap--
		}
		seg := firstGap
		if reversed[i] {
			seg = lastGap
			slices.Reverse(pts)
			seg = len(pts) - 2 - seg
		}
		res.points[i] = pts
		segOf[i] = seg
	}
	placeLabels(g, res, gapOf, segOf, top, band)

	// Normalise: the drawing (boxes, routes, labels) starts at 0,0.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(x0, y0, x1, y1 float64) {
		minX, minY, maxX, maxY = min(minX, x0), min(minY, y0), max(maxX, x1), max(maxY, y1)
	}
	for v := range n {
		grow(x[v], y[v], x[v]+W[v], y[v]+H[v])
	}
	for i, e := range g.edges {
		for _, p := range res.points[i] {
			grow(p[0], p[1], p[0], p[1])
		}
		if e.labelW > 0 {
			l := res.label[i]
			grow(l[0]-e.labelW/2, l[1]-labelHeight/2, l[0]+e.labelW/2, l[1]+labelHeight/2)
		}
	}
	if n == 0 {
		return res
	}
	// Whole pixels keep box coordinates integral.
	minX, minY = math.Floor(minX), math.Floor(minY)
	for v := range n {
		x[v] -= minX
		y[v] -= minY
	}
	for i := range res.points {
		for j := range res.points[i] {
			res.points[i][j][0] -= minX
			res.points[i][j][1] -= minY
		}
		res.label[i][0] -= minX
		res.label[i][1] -= minY
	}
	res.width, res.height = math.Ceil(maxX-minX), math.Ceil(maxY-minY)
	return res
}

// placeLabels puts each edge label on its edge, inside the gap below
// (above, for an edge drawn upwards) its source's layer: the labels of one
// gap, ordered by where their edges cross it, each get a row of their own,
// so no two labels overlap.
func placeLabels(g *lgraph, res lresult, gapOf, segOf []int, top, band []float64) {
	byGap := map[int][]int{}
	var gaps []int
	for i, gap := range gapOf {
		if gap < 0 {
			continue
		}
		if _, ok := byGap[gap]; !ok {
			gaps = append(gaps, gap)
		}
		byGap[gap] = append(byGap[gap], i)
	}
	for _, gap := range gaps {
		edges := byGap[gap]
		y0 := top[gap] + band[gap]
		y1 := top[gap+1]
		mid := (y0 + y1) / 2
		at := func(i int, y float64) float64 {
			p, q := res.points[i][segOf[i]], res.points[i][segOf[i]+1]
			if q[1] == p[1] {
				return (p[0] + q[0]) / 2
			}
			return p[0] + (q[0]-p[0])*(y-p[1])/(q[1]-p[1])
		}
		slices.SortStableFunc(edges, func(a, b int) int { return cmp.Compare(at(a, mid), at(b, mid)) })
		for j, i := range edges {
			y := y0 + (y1-y0)*float64(j+1)/float64(len(edges)+1)
			res.label[i] = [2]float64{math.Round(at(i, y)), math.Round(y)}
		}
	}
}

// breakCycles runs a DFS from the start (then from every node not yet
// seen, in index order) and marks the back edges, which the layering
// reverses. pre is each node's discovery index, the initial order.
func breakCycles(g *lgraph) (reversed []bool, pre []int) {
	n := len(g.w)
	out := make([][]int, n)
	for i, e := range g.edges {
		if e.from != e.to {
			out[e.from] = append(out[e.from], i)
		}
	}
	reversed = make([]bool, len(g.edges))
	pre = make([]int, n)
	const (
		unseen = iota
		onStack
		done
	)
	state := make([]uint8, n)
	counter := 0
	type frame struct{ v, next int }
	var stack []frame
	visit := func(root int) {
		state[root], pre[root] = onStack, counter
		counter++
		stack = append(stack[:0], frame{root, 0})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next == len(out[f.v]) {
				state[f.v] = done
				stack = stack[:len(stack)-1]
				continue
			}
			ei := out[f.v][f.next]
			f.next++
			switch w := g.edges[ei].to; state[w] {
			case unseen:
				state[w], pre[w] = onStack, counter
				counter++
				stack = append(stack, frame{w, 0})
			case onStack:
				reversed[ei] = true
			}
		}
	}
	if g.start >= 0 && g.start < n {
		visit(g.start)
	}
	for v := range n {
		if state[v] == unseen && v != g.end {
			visit(v)
		}
	}
	if g.end >= 0 && g.end < n && state[g.end] == unseen {
		visit(g.end)
	}
	return reversed, pre
}

// assignLayers gives each node its longest-path layer in the DAG of g with
// the reversed edges turned round: the start alone on layer 0, the end
// alone on the last layer.
func assignLayers(g *lgraph, reversed []bool, pre []int) []int {
	n := len(g.w)
	down := make([][]int, n)
	indeg := make([]int, n)
	for i, e := range g.edges {
		if e.from == e.to {
			continue
		}
		a, b := e.from, e.to
		if reversed[i] {
			a, b = b, a
		}
		down[a] = append(down[a], b)
		indeg[b]++
	}
	layer := make([]int, n)
	for v := range n {
		if v != g.start {
			layer[v] = 1
		}
	}
	order := make([]int, n)
	for v := range n {
		order[pre[v]] = v
	}
	queue := make([]int, 0, n)
	for _, v := range order {
		if indeg[v] == 0 {
			queue = append(queue, v)
		}
	}
	for head := 0; head < len(queue); head++ {
		v := queue[head]
		for _, b := range down[v] {
			layer[b] = max(layer[b], layer[v]+1)
			if indeg[b]--; indeg[b] == 0 {
				queue = append(queue, b)
			}
		}
	}
	if g.end >= 0 && g.end < n {
		last := 0
		for v := range n {
			if v != g.end {
				last = max(last, layer[v])
			}
		}
		layer[g.end] = last + 1
	}
	return layer
}

// orderLayers groups nodes by layer, first by key, then reorders each
// layer by the barycenter of its neighbours, sweeping down and up, and
// keeps the order with the fewest crossings.
func orderLayers(L []int, key []float64, upN, downN [][]int) [][]int {
	depth := 0
	for _, l := range L {
		depth = max(depth, l+1)
	}
	layers := make([][]int, depth)
	for v, l := range L {
		layers[l] = append(layers[l], v)
	}
	pos := make([]float64, len(L))
	for _, ly := range layers {
		slices.SortStableFunc(ly, func(a, b int) int { return cmp.Compare(key[a], key[b]) })
		for i, v := range ly {
			pos[v] = float64(i)
		}
	}
	best := cloneLayers(layers)
	bestCross := crossings(layers, downN, pos)
	bary := make([]float64, len(L))
	sortBy := func(ly []int, adj [][]int) {
		for _, v := range ly {
			if len(adj[v]) == 0 {
				bary[v] = pos[v]
				continue
			}
			s := 0.0
			for _, u := range adj[v] {
				s += pos[u]
			}
			bary[v] = s / float64(len(adj[v]))
		}
		slices.SortStableFunc(ly, func(a, b int) int { return cmp.Compare(bary[a], bary[b]) })
		for i, v := range ly {
			pos[v] = float64(i)
		}
	}
	for range sweeps {
		if bestCross == 0 {
			break
		}
		for l := 1; l < depth; l++ {
			sortBy(layers[l], upN)
		}
		for l := depth - 2; l >= 0; l-- {
			sortBy(layers[l], downN)
		}
		if c := crossings(layers, downN, pos); c < bestCross {
			bestCross = c
			best = cloneLayers(layers)
		}
	}
	return best
}

func cloneLayers(layers [][]int) [][]int {
	out := make([][]int, len(layers))
	for i, ly := range layers {
		out[i] = slices.Clone(ly)
	}
	return out
}

// crossings counts the edge crossings between adjacent layers: per layer
// pair, the inversions of the lower ends once edges are sorted by their
// upper ends (a Fenwick tree makes it O(E log V)).
func crossings(layers [][]int, downN [][]int, pos []float64) int {
	total := 0
	type seg struct{ a, b int }
	var segs []seg
	for l := 0; l+1 < len(layers); l++ {
		segs = segs[:0]
		for _, u := range layers[l] {
			for _, v := range downN[u] {
				segs = append(segs, seg{int(pos[u]), int(pos[v])})
			}
		}
		slices.SortFunc(segs, func(p, q seg) int {
			if c := cmp.Compare(p.a, q.a); c != 0 {
				return c
			}
			return cmp.Compare(p.b, q.b)
		})
		size := len(layers[l+1])
		tree := make([]int, size+1)
		seen := 0
		for _, s := range segs {
			// Count earlier segments whose lower end lies right of s.b.
			le := 0
			for i := s.b + 1; i > 0; i -= i & -i {
				le += tree[i]
			}
			total += seen - le
			for i := s.b + 1; i <= size; i += i & -i {
				tree[i]++
			}
			seen++
		}
	}
	return total
}

// isotonic places the centres cx of one layer's nodes, in their order,
// as close as possible (weighted least squares) to desired without
// overlapping: the pool-adjacent-violators algorithm on the positions
// shifted by each node's minimum offset from the first.
func isotonic(ly []int, desired, weight, W []float64, sep func(u, v int) float64, cx []float64) {
	type pool struct {
		sum, w float64
		count  int
	}
	offset := make([]float64, len(ly))
	for i := 1; i < len(ly); i++ {
		u, v := ly[i-1], ly[i]
		offset[i] = offset[i-1] + W[u]/2 + sep(u, v) + W[v]/2
	}
	pools := make([]pool, 0, len(ly))
	for i, v := range ly {
		p := pool{sum: weight[v] * (desired[v] - offset[i]), w: weight[v], count: 1}
		for len(pools) > 0 {
			last := pools[len(pools)-1]
			if last.sum/last.w <= p.sum/p.w {
				break
			}
			p = pool{sum: p.sum + last.sum, w: p.w + last.w, count: p.count + last.count}
			pools = pools[:len(pools)-1]
		}
		pools = append(pools, p)
	}
	i := 0
	for _, p := range pools {
		m := p.sum / p.w
		for range p.count {
			cx[ly[i]] = m + offset[i]
			i++
		}
	}
}
