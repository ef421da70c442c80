package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const orderMachine = "../../engine/graph/testdata/order.asl.json"

func TestRenderSVG(t *testing.T) {
	code, stdout, stderr := cli(t, "", "render", orderMachine)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.HasPrefix(stdout, "<svg ") || !strings.HasSuffix(stdout, "</svg>\n") {
		t.Errorf("not an SVG document: %.100q", stdout)
	}
	for _, want := range []string{`data-state="Check Total"`, `class="state type-Choice"`, `class="state container type-Parallel"`, "#ffffff"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("SVG lacks %s", want)
		}
	}
	code, dark, _ := cli(t, "", "render", orderMachine, "--theme", "dark")
	if code != 0 || !strings.Contains(dark, "#14181e") || dark == stdout {
		t.Errorf("--theme dark: exit %d, no dark palette", code)
	}
}

func TestRenderJSON(t *testing.T) {
	code, stdout, stderr := cli(t, "", "render", "--json", orderMachine)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var l struct {
		Width float64 `json:"width"`
		Nodes []struct {
			ID string `json:"id"`
		} `json:"nodes"`
		Edges []struct {
			Kind string `json:"kind"`
		} `json:"edges"`
	}
	if err := json.Unmarshal([]byte(stdout), &l); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if l.Width <= 0 || len(l.Nodes) < 10 || len(l.Edges) < 10 {
		t.Errorf("layout too small: width %v, %d nodes, %d edges", l.Width, len(l.Nodes), len(l.Edges))
	}
}

func TestRenderErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"StartAt":"X","States":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"render"}, 2, "usage: stepwise render"},
		{[]string{"render", orderMachine, "--theme"}, 2, "usage: stepwise render"},
		{[]string{"render", orderMachine, "--bogus"}, 2, "usage: stepwise render"},
		{[]string{"render", orderMachine, "--theme", "blue"}, 2, "ValidationException"},
		{[]string{"render", "no-such-file.json"}, 2, "no-such-file.json"},
		{[]string{"render", bad}, 1, "InvalidDefinition: Invalid State Machine Definition: '"},
	} {
		code, stdout, stderr := cli(t, "", c.args...)
		if code != c.code || !strings.Contains(stderr, c.stderr) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, stderr with %q", c.args, code, stdout, stderr, c.code, c.stderr)
		}
	}
}
