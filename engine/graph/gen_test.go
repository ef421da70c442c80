package graph

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/asl"
)

// rng is splitmix64: a tiny deterministic generator for test machines
// (engine code takes no randomness from math/rand).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// randomDefinition builds a machine of about n states from seed: every
// state type, nested Parallel and Map, Choice rules, Catchers, self-loops,
// cycles, unreachable states and some dangling targets (which asl.Parse
// accepts and the layout drops).
func randomDefinition(seed uint64, n int) []byte {
	r := &rng{s: seed}
	counter := 0
	var machine func(size, depth int) map[string]any
	machine = func(size, depth int) map[string]any {
		size = max(size, 1)
		names := make([]string, size)
		for i := range names {
			counter++
			names[i] = fmt.Sprintf("S%d", counter)
			if r.intn(8) == 0 {
				names[i] = fmt.Sprintf("État %d ✓ 𝄞", counter)
			}
		}
		target := func() string {
			if r.intn(20) == 0 {
				return "Missing"
			}
			return names[r.intn(len(names))]
		}
		states := map[string]any{}
		for i, name := range names {
			st := map[string]any{}
			kind := r.intn(10)
			if depth >= 3 && kind >= 8 {
				kind = 0
			}
			switch kind {
			case 0, 1, 2:
				st["Type"] = "Task"
				st["Resource"] = "arn:aws:states:::lambda:invoke"
			case 3:
				st["Type"] = "Pass"
			case 4:
				st["Type"] = "Wait"
				st["Seconds"] = 1
			case 5:
				st["Type"] = "Choice"
				var rules []any
				for range 1 + r.intn(3) {
					rules = append(rules, map[string]any{"Variable": "$.v", "NumericEquals": r.intn(100), "Next": target()})
				}
				st["Choices"] = rules
				if r.intn(2) == 0 {
					st["Default"] = target()
				}
			case 6:
				if r.intn(2) == 0 {
					st["Type"] = "Succeed"
				} else {
					st["Type"] = "Fail"
				}
			case 7:
				st["Type"] = "Pass"
			case 8:
				st["Type"] = "Parallel"
				var branches []any
				for range 1 + r.intn(3) {
					branches = append(branches, machine(1+r.intn(4), depth+1))
				}
				st["Branches"] = branches
			case 9:
				st["Type"] = "Map"
				st["ItemProcessor"] = machine(1+r.intn(4), depth+1)
			}
			switch st["Type"] {
			case "Choice", "Succeed", "Fail":
			default:
				if i == len(names)-1 || r.intn(6) == 0 {
					st["End"] = true
				} else {
					st["Next"] = target()
				}
				if r.intn(5) == 0 {
					st["Catch"] = []any{map[string]any{"ErrorEquals": []string{"States.ALL"}, "Next": target()}}
				}
			}
			states[name] = st
		}
		return map[string]any{"StartAt": names[0], "States": states}
	}
	b, err := json.MarshalIndent(machine(n, 0), "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzLayout lays out random machines: it must never panic, and what it
// produces must satisfy the layout invariants.
func FuzzLayout(f *testing.F) {
	f.Add(uint64(1), uint8(10))
	f.Add(uint64(42), uint8(60))
	f.Fuzz(func(t *testing.T, seed uint64, size uint8) {
		text := randomDefinition(seed, int(size%100))
		def, err := asl.Parse(text)
		if err != nil {
			t.Skip()
		}
		l := New(def, text)
		checkInvariants(t, l)
		_ = SVG(l, ThemeDark)
	})
}

// FuzzLayoutText lays out whatever definition text asl.Parse accepts.
func FuzzLayoutText(f *testing.F) {
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`))
	f.Add(randomDefinition(3, 12))
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 1<<14 {
			return
		}
		def, err := asl.Parse(text)
		if err != nil {
			return
		}
		_ = SVG(New(def, text), ThemeLight)
	})
}

func benchmarkLayout(b *testing.B, n int) {
	text := chainDefinition(n)
	def, err := asl.Parse(text)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		New(def, text)
	}
}

// chainDefinition is a realistic large machine: n states in Choice-led
// stages with Catchers to a shared failure state and loops back.
func chainDefinition(n int) []byte {
	states := map[string]any{}
	name := func(i int) string { return fmt.Sprintf("Step %04d", i) }
	for i := range n - 1 {
		next := name(i + 1)
		switch i % 5 {
		case 0:
			states[name(i)] = map[string]any{"Type": "Choice", "Choices": []any{
				map[string]any{"Variable": "$.n", "NumericGreaterThan": i, "Next": next},
				map[string]any{"Variable": "$.retry", "BooleanEquals": true, "Next": name(max(0, i-5))},
			}, "Default": name(min(n-1, i+2))}
		default:
			states[name(i)] = map[string]any{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": next,
				"Catch": []any{map[string]any{"ErrorEquals": []string{"States.ALL"}, "Next": name(n - 1)}}}
		}
	}
	states[name(n-1)] = map[string]any{"Type": "Fail", "Error": "Failed"}
	b, _ := json.Marshal(map[string]any{"StartAt": name(0), "States": states})
	return b
}

func BenchmarkLayout200(b *testing.B)  { benchmarkLayout(b, 200) }
func BenchmarkLayout1000(b *testing.B) { benchmarkLayout(b, 1000) }

func BenchmarkLayoutRandom1000(b *testing.B) {
	text := randomDefinition(11, 1000)
	def, err := asl.Parse(text)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		New(def, text)
	}
}
