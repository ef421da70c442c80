package graph

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Themes SVG knows.
const (
	ThemeLight = "light"
	ThemeDark  = "dark"
)

// palette is one theme's colours.
type palette struct {
	bg, text, muted, edge, catch, branch, labelBg string
	// fill and stroke per state type
	types map[string][2]string
}

var palettes = map[string]palette{
	ThemeLight: {
		bg: "#ffffff", text: "#1f2933", muted: "#66717f", edge: "#7b8794", catch: "#d9822b",
		branch: "#c5ccd4", labelBg: "#ffffff",
		types: map[string][2]string{
			"Task": {"#e7f0fd", "#3b7ddd"}, "Pass": {"#f1f3f5", "#8a94a3"},
			"Choice": {"#fff5e0", "#d69e00"}, "Wait": {"#f3eafd", "#9160c8"},
			"Succeed": {"#e5f6eb", "#2f9e5b"}, "Fail": {"#fdeceb", "#d14343"},
			"Parallel": {"#f7f9fb", "#7b8794"}, "Map": {"#f5f8fc", "#5f7fa8"},
		},
	},
	ThemeDark: {
		bg: "#14181e", text: "#e4e8ee", muted: "#9aa5b1", edge: "#8792a2", catch: "#f0a050",
		branch: "#465260", labelBg: "#14181e",
		types: map[string][2]string{
			"Task": {"#172a45", "#5b9cf0"}, "Pass": {"#232a33", "#8a94a3"},
			"Choice": {"#3a2f12", "#e8b630"}, "Wait": {"#2c2140", "#b08be0"},
			"Succeed": {"#15331f", "#4cc27a"}, "Fail": {"#3d1a1a", "#ec6a6a"},
			"Parallel": {"#1a2028", "#8792a2"}, "Map": {"#18212c", "#7f9cc4"},
		},
	},
}

// typeOrder fixes the order of the per-type style rules.
var typeOrder = []string{"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}

// SVG renders l as a standalone SVG document with an inline stylesheet in
// the theme ThemeDark, or ThemeLight for any other value. Every state's
// group carries data-state="<name>" and the classes "state type-<Type>"
// (type-Task, type-Choice ...) so a page can restyle or highlight it;
// containers also carry "container", edges "edge <kind>".
func SVG(l *Layout, theme string) string {
	p, ok := palettes[theme]
	if !ok {
		p = palettes[ThemeLight]
	}
	var b strings.Builder
	w, h := num(l.Width), num(l.Height)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" class="stepwise-graph">`, w, h, w, h)
	b.WriteString("\n<style>\n")
	fmt.Fprintf(&b, `.stepwise-graph{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
.bg{fill:%s}
.state rect{stroke-width:1.5}
.state .name{font-size:13px;font-weight:600;fill:%s}
.state .type{font-size:10px;fill:%s;letter-spacing:.04em}
.container>rect{stroke-dasharray:6 4;stroke-width:1.5}
.container .name{font-size:12px}
.branch rect{fill:none;stroke:%s;stroke-dasharray:4 4;stroke-width:1}
.branch text{font-size:10px;fill:%s}
.edge path{fill:none;stroke:%s;stroke-width:1.4;stroke-linejoin:round}
.edge.catch path{stroke:%s;stroke-dasharray:5 4}
.edge .tick{stroke:%s;stroke-width:1.4}
.label rect{fill:%s;fill-opacity:.92}
.label text{font-size:11px;fill:%s}
.label.catch text{fill:%s}
.label.default text{font-style:italic;fill:%s}
.start circle{fill:%s}
.end circle.ring{fill:none;stroke:%s;stroke-width:2}
.end circle.dot{fill:%s}
`, p.bg, p.text, p.muted, p.branch, p.muted, p.edge, p.catch, p.edge, p.labelBg, p.text, p.catch, p.muted, p.text, p.text, p.text)
	for _, t := range typeOrder {
		c := p.types[t]
		fmt.Fprintf(&b, ".type-%s>rect{fill:%s;stroke:%s}\n", t, c[0], c[1])
	}
	b.WriteString("</style>\n<defs>")
	for _, m := range [][2]string{{"arrow", p.edge}, {"arrow-catch", p.catch}} {
		fmt.Fprintf(&b, `<marker id="%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,1 L9,5 L0,9 z" fill="%s"/></marker>`, m[0], m[1])
	}
	b.WriteString("</defs>\n")
	fmt.Fprintf(&b, `<rect class="bg" x="0" y="0" width="%s" height="%s"/>`+"\n", w, h)

	// Containers first (background), then edges, then boxes, then labels.
	for _, n := range l.Nodes {
		switch n.Kind {
		case KindParallel, KindMap:
			fmt.Fprintf(&b, `<g class="state container type-%s" data-state="%s"><rect x="%s" y="%s" width="%s" height="%s" rx="12"/>`,
				attr(n.Type), attr(n.Name), num(n.X), num(n.Y), num(n.W), num(n.H))
			fmt.Fprintf(&b, `<text class="name" x="%s" y="%s">%s</text><text class="type" x="%s" y="%s" text-anchor="end">%s</text></g>`+"\n",
				num(n.X+12), num(n.Y+19), text(n.Label), num(n.X+n.W-12), num(n.Y+19), text(strings.ToUpper(n.Type)))
		case KindBranch:
			fmt.Fprintf(&b, `<g class="branch" data-branch="%s"><rect x="%s" y="%s" width="%s" height="%s" rx="8"/><text x="%s" y="%s">%s</text></g>`+"\n",
				attr(n.ID), num(n.X), num(n.Y), num(n.W), num(n.H), num(n.X+10), num(n.Y+15), text(n.Label))
		}
	}
	for _, e := range l.Edges {
		if len(e.Points) < 2 {
			continue
		}
		marker := "arrow"
		if e.Kind == EdgeCatch {
			marker = "arrow-catch"
		}
		fmt.Fprintf(&b, `<g class="edge %s" data-from="%s" data-to="%s"><path d="%s" marker-end="url(#%s)"/>`, attr(e.Kind), attr(e.From), attr(e.To), pathData(e.Points), marker)
		if e.Kind == EdgeDefault {
			b.WriteString(defaultTick(e.Points))
		}
		b.WriteString("</g>\n")
	}
	for _, n := range l.Nodes {
		switch n.Kind {
		case KindState:
			fmt.Fprintf(&b, `<g class="state type-%s" data-state="%s"><rect x="%s" y="%s" width="%s" height="%s" rx="8"/>`,
				attr(n.Type), attr(n.Name), num(n.X), num(n.Y), num(n.W), num(n.H))
			cx := num(n.X + n.W/2)
			fmt.Fprintf(&b, `<text class="name" x="%s" y="%s" text-anchor="middle">%s</text><text class="type" x="%s" y="%s" text-anchor="middle">%s</text></g>`+"\n",
				cx, num(n.Y+n.H/2-1), text(n.Label), cx, num(n.Y+n.H/2+13), text(strings.ToUpper(n.Type)))
		case KindStart:
			fmt.Fprintf(&b, `<g class="start" data-node="%s"><circle cx="%s" cy="%s" r="%s"/></g>`+"\n",
				attr(n.ID), num(n.X+n.W/2), num(n.Y+n.H/2), num(n.W/2-2))
		case KindEnd:
			cx, cy := num(n.X+n.W/2), num(n.Y+n.H/2)
			fmt.Fprintf(&b, `<g class="end" data-node="%s"><circle class="ring" cx="%s" cy="%s" r="%s"/><circle class="dot" cx="%s" cy="%s" r="%s"/></g>`+"\n",
				attr(n.ID), cx, cy, num(n.W/2-2), cx, cy, num(n.W/2-7))
		}
	}
	for _, e := range l.Edges {
		if e.Label == "" {
			continue
		}
		lw := labelWidth(e.Label)
		fmt.Fprintf(&b, `<g class="label %s"><rect x="%s" y="%s" width="%s" height="%d" rx="4"/><text x="%s" y="%s" text-anchor="middle">%s</text></g>`+"\n",
			attr(e.Kind), num(e.LabelX-lw/2), num(e.LabelY-labelHeight/2), num(lw), labelHeight, num(e.LabelX), num(e.LabelY+4), text(e.Label))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// pathData is an SVG path through points, its bends rounded off.
func pathData(pts [][2]float64) string {
	var b strings.Builder
	b.WriteString("M" + num(pts[0][0]) + "," + num(pts[0][1]))
	for i := 1; i < len(pts); i++ {
		p := pts[i]
		if i+1 < len(pts) {
			prev, next := pts[i-1], pts[i+1]
			din := math.Hypot(p[0]-prev[0], p[1]-prev[1])
			dout := math.Hypot(next[0]-p[0], next[1]-p[1])
			if r := min(cornerRadius, din/2, dout/2); r >= 1 {
				ax, ay := p[0]-(p[0]-prev[0])/din*r, p[1]-(p[1]-prev[1])/din*r
				bx, by := p[0]+(next[0]-p[0])/dout*r, p[1]+(next[1]-p[1])/dout*r
				fmt.Fprintf(&b, " L%s,%s Q%s,%s %s,%s", num(ax), num(ay), num(p[0]), num(p[1]), num(bx), num(by))
				continue
			}
		}
		b.WriteString(" L" + num(p[0]) + "," + num(p[1]))
	}
	return b.String()
}

// cornerRadius rounds the bends of edges.
const cornerRadius = 10

// defaultTick marks a Choice's Default edge with a short slash across its
// first segment, as flow charts mark a default flow.
func defaultTick(pts [][2]float64) string {
	p, q := pts[0], pts[1]
	dx, dy := q[0]-p[0], q[1]-p[1]
	d := math.Hypot(dx, dy)
	if d < 1 {
		return ""
	}
	ux, uy := dx/d, dy/d
	t := min(10.0, d/2)
	mx, my := p[0]+ux*t, p[1]+uy*t
	// A slash at 45 degrees to the segment.
	ax, ay := (ux-uy)*5, (uy+ux)*5
	return fmt.Sprintf(`<path class="tick" d="M%s,%s L%s,%s"/>`, num(mx-ax), num(my-ay), num(mx+ax), num(my+ay))
}

// num formats a coordinate compactly (at most two decimals).
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}

func attr(s string) string { return html.EscapeString(s) }

func text(s string) string { return html.EscapeString(s) }
