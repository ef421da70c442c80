package graph

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stepwise-sfn/stepwise/engine/asl"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// layout parses text and lays it out.
func layout(t testing.TB, text string) *Layout {
	t.Helper()
	def, err := asl.Parse([]byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return New(def, []byte(text))
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGoldenSVG pins the rendering of a machine with Parallel, Map, Choice
// and Catch in both themes; go test -run TestGoldenSVG -update rewrites it.
func TestGoldenSVG(t *testing.T) {
	text := readFile(t, "testdata/order.asl.json")
	l := layout(t, text)
	for _, theme := range []string{ThemeLight, ThemeDark} {
		got := SVG(l, theme)
		name := filepath.Join("testdata", "order."+theme+".svg")
		if *update {
			if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if want := readFile(t, name); got != want {
			t.Errorf("%s differs from the rendering; run go test -run TestGoldenSVG -update and look at it", name)
		}
	}
}

// TestGoldenLayout pins the layout JSON of the same machine.
func TestGoldenLayout(t *testing.T) {
	l := layout(t, readFile(t, "testdata/order.asl.json"))
	got, err := json.MarshalIndent(l, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	name := filepath.Join("testdata", "order.layout.json")
	if *update {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readFile(t, name); string(got) != want {
		t.Errorf("%s differs; run go test -run TestGoldenLayout -update and review the diff", name)
	}
}

// checkInvariants asserts what every layout must satisfy: finite numbers,
// unique ids, containers before children, children inside their
// container, no overlapping siblings, edges from their source's border to
// their target's border.
func checkInvariants(t testing.TB, l *Layout) {
	t.Helper()
	byID := map[string]Node{}
	for i, n := range l.Nodes {
		for _, f := range []float64{n.X, n.Y, n.W, n.H} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				t.Fatalf("node %q has a non-finite coordinate: %+v", n.ID, n)
			}
		}
		if n.W <= 0 || n.H <= 0 {
			t.Errorf("node %q has an empty box %vx%v", n.ID, n.W, n.H)
		}
		if _, dup := byID[n.ID]; dup {
			t.Errorf("node %d: duplicate id %q", i, n.ID)
		}
		if n.Parent != "" {
			p, ok := byID[n.Parent]
			if !ok {
				t.Errorf("node %q listed before its container %q (or the container is missing)", n.ID, n.Parent)
			} else if n.X < p.X || n.Y < p.Y || n.X+n.W > p.X+p.W || n.Y+n.H > p.Y+p.H {
				t.Errorf("node %q (%v,%v %vx%v) lies outside its container %q (%v,%v %vx%v)",
					n.ID, n.X, n.Y, n.W, n.H, p.ID, p.X, p.Y, p.W, p.H)
			}
		} else if n.X < 0 || n.Y < 0 || n.X+n.W > l.Width || n.Y+n.H > l.Height {
			t.Errorf("node %q lies outside the drawing", n.ID)
		}
		byID[n.ID] = n
	}
	for i, a := range l.Nodes {
		for _, b := range l.Nodes[i+1:] {
			if a.Parent == b.Parent && a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				t.Errorf("siblings %q and %q overlap: %+v %+v", a.ID, b.ID, a, b)
			}
		}
	}
	onBorder := func(n Node, p [2]float64) bool {
		const eps = 0.51
		inX := p[0] >= n.X-eps && p[0] <= n.X+n.W+eps
		inY := p[1] >= n.Y-eps && p[1] <= n.Y+n.H+eps
		return inX && inY && (math.Abs(p[0]-n.X) <= eps || math.Abs(p[0]-n.X-n.W) <= eps ||
			math.Abs(p[1]-n.Y) <= eps || math.Abs(p[1]-n.Y-n.H) <= eps)
	}
	for _, e := range l.Edges {
		if len(e.Points) < 2 {
			t.Errorf("edge %s->%s has %d points", e.From, e.To, len(e.Points))
			continue
		}
		from, ok1 := byID[e.From]
		to, ok2 := byID[e.To]
		if !ok1 || !ok2 {
			t.Errorf("edge %s->%s names a missing node", e.From, e.To)
			continue
		}
		if p := e.Points[0]; !onBorder(from, p) {
			t.Errorf("edge %s->%s starts at %v, not on %q's border %+v", e.From, e.To, p, from.ID, from)
		}
		if p := e.Points[len(e.Points)-1]; !onBorder(to, p) {
			t.Errorf("edge %s->%s ends at %v, not on %q's border %+v", e.From, e.To, p, to.ID, to)
		}
		for _, p := range e.Points {
			if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
				t.Fatalf("edge %s->%s has a NaN point", e.From, e.To)
			}
		}
	}
}

func TestInvariantsOrder(t *testing.T) {
	checkInvariants(t, layout(t, readFile(t, "testdata/order.asl.json")))
}

func TestOrderShape(t *testing.T) {
	l := layout(t, readFile(t, "testdata/order.asl.json"))
	nodes := map[string]Node{}
	for _, n := range l.Nodes {
		nodes[n.ID] = n
	}
	want := []struct{ id, kind, typ, parent, label string }{
		{"start", KindStart, "", "", "Start"},
		{"end", KindEnd, "", "", "End"},
		{"Validate Order", KindState, "Task", "", "Validate Order"},
		{"Fulfil", KindParallel, "Parallel", "", "Fulfil"},
		{"Fulfil/0", KindBranch, "", "Fulfil", "Branch 1"},
		{"Fulfil/1", KindBranch, "", "Fulfil", "Branch 2"},
		{"Fulfil/1/start", KindStart, "", "Fulfil/1", "Start"},
		{"Fulfil/1/end", KindEnd, "", "Fulfil/1", "End"},
		{"Reserve Stock", KindState, "Task", "Fulfil/1", "Reserve Stock"},
		{"Process Items", KindMap, "Map", "", "Process Items"},
		{"Process Items/0", KindBranch, "", "Process Items", "Iterator"},
		{"Pack Item", KindState, "Task", "Process Items/0", "Pack Item"},
	}
	for _, w := range want {
		n, ok := nodes[w.id]
		if !ok {
			t.Errorf("no node %q", w.id)
			continue
		}
		if n.Kind != w.kind || n.Type != w.typ || n.Parent != w.parent || n.Label != w.label {
			t.Errorf("node %q = kind %q type %q parent %q label %q, want %q %q %q %q", w.id, n.Kind, n.Type, n.Parent, n.Label, w.kind, w.typ, w.parent, w.label)
		}
	}
	if r := nodes["Ship"].Resource; r != "arn:aws:lambda:us-east-1:123456789012:function:ship" {
		t.Errorf("Ship resource %q", r)
	}
	if nodes["Pass"].Resource != "" || !nodes["Done"].Terminal || !nodes["Reject"].Terminal || nodes["Ship"].Terminal {
		t.Error("terminal flags or resources wrong")
	}
	type ek struct{ from, to, kind, label string }
	var got []ek
	for _, e := range l.Edges {
		got = append(got, ek{e.From, e.To, e.Kind, e.Label})
		if e.Label != "" && e.LabelX == 0 && e.LabelY == 0 {
			t.Errorf("edge %s->%s has a label but no label position", e.From, e.To)
		}
	}
	for _, w := range []ek{
		{"start", "Validate Order", EdgeStart, ""},
		{"Validate Order", "Check Total", EdgeNext, ""},
		{"Validate Order", "Reject", EdgeCatch, "ValidationError, States.Timeout"},
		{"Check Total", "Manual Review", EdgeChoice, "$.total > 100"},
		{"Check Total", "Process Items", EdgeChoice, `And($.type == "digital", $.express == t…`},
		{"Check Total", "Fulfil", EdgeDefault, "Default"},
		{"Fulfil", "Reject", EdgeCatch, "States.ALL"},
		{"Fulfil/1/start", "Reserve Stock", EdgeStart, ""},
		{"Notify Warehouse", "Fulfil/1/end", EdgeEnd, ""},
		{"Done", "end", EdgeEnd, ""},
		{"Reject", "end", EdgeEnd, ""},
	} {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("no edge %+v", w)
		}
	}
}

// TestOffsets checks that From/To select exactly the state's member,
// including names outside ASCII and the BMP (UTF-16 surrogate pairs).
func TestOffsets(t *testing.T) {
	for _, name := range []string{"testdata/order.asl.json", "testdata/unicode.asl.json"} {
		text := readFile(t, name)
		units := utf16.Encode([]rune(text))
		l := layout(t, text)
		for _, n := range l.Nodes {
			if n.Kind == KindStart || n.Kind == KindEnd || n.Kind == KindBranch {
				if n.From != 0 || n.To != 0 {
					t.Errorf("synthetic node %q has offsets", n.ID)
				}
				continue
			}
			if n.From <= 0 || n.To <= n.From || n.To > len(units) {
				t.Errorf("%s: node %q offsets %d..%d", name, n.ID, n.From, n.To)
				continue
			}
			member := string(utf16.Decode(units[n.From:n.To]))
			key, _ := json.Marshal(n.Name)
			if !strings.HasPrefix(member, string(key)) || !strings.HasSuffix(member, "}") {
				t.Errorf("%s: node %q selects %q", name, n.ID, member)
				continue
			}
			value := strings.TrimLeft(strings.TrimPrefix(member, string(key)), " \t\n:")
			if !json.Valid([]byte(value)) {
				t.Errorf("%s: node %q: %q is not a JSON value", name, n.ID, value)
			}
		}
	}
}

func TestChoiceSummaries(t *testing.T) {
	text := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
		{"Variable":"$.total","NumericGreaterThan":100,"Next":"A"},
		{"Variable":"$.type","StringEquals":"a","Next":"A"},
		{"Variable":"$.a","NumericLessThanEqualsPath":"$.b","Next":"A"},
		{"Variable":"$.x","IsPresent":false,"Next":"A"},
		{"Variable":"$.x","IsNumeric":true,"Next":"A"},
		{"Variable":"$.s","StringMatches":"log-*","Next":"A"},
		{"Not":{"Variable":"$.ok","BooleanEquals":true},"Next":"A"},
		{"Or":[{"Variable":"$.a","NumericEquals":1},{"Variable":"$.b","NumericEquals":2}],"Next":"A"}
	],"Default":"A"},"A":{"Type":"Succeed"}}}`
	jsonata := `{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
		{"Condition":"{% $states.input.total > 100 and $states.input.customer.tier = 'gold' %}","Next":"A"}
	],"Default":"A"},"A":{"Type":"Succeed"}}}`
	want := []string{
		"$.total > 100", `$.type == "a"`, "$.a <= $.b", "$.x is not present", "$.x is numeric",
		`$.s matches "log-*"`, "Not($.ok == true)", "Or($.a == 1, $.b == 2)", "Default",
		"{% $states.input.total > 100 and $state…", "Default",
	}
	var got []string
	for _, text := range []string{text, jsonata} {
		for _, e := range layout(t, text).Edges {
			if e.Kind == EdgeChoice || e.Kind == EdgeDefault {
				got = append(got, e.Label)
			}
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("labels:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDeterministic lays the same machines out many times and expects the
// same bytes: no map iteration order may leak into the layout.
func TestDeterministic(t *testing.T) {
	for _, text := range []string{readFile(t, "testdata/order.asl.json"), string(randomDefinition(7, 120))} {
		first, _ := json.Marshal(layout(t, text))
		for range 20 {
			again, _ := json.Marshal(layout(t, text))
			if !bytes.Equal(first, again) {
				t.Fatal("two layouts of the same definition differ")
			}
		}
	}
}

func TestDanglingAndLoops(t *testing.T) {
	// Missing targets are dropped; self-loops and cycles still lay out.
	text := `{"StartAt":"A","States":{
		"A":{"Type":"Wait","Seconds":1,"Next":"A"},
		"B":{"Type":"Pass","Next":"Nowhere"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"B"}],"Default":"C"},
		"D":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"B","Catch":[{"ErrorEquals":["States.ALL"],"Next":"D"}]}}}`
	l := layout(t, text)
	checkInvariants(t, l)
	for _, e := range l.Edges {
		if e.To == "Nowhere" {
			t.Error("dangling edge kept")
		}
	}
}

func TestRandomInvariants(t *testing.T) {
	for seed := range uint64(40) {
		text := randomDefinition(seed, 5+int(seed)*3)
		def, err := asl.Parse(text)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, text)
		}
		checkInvariants(t, New(def, text))
	}
}
