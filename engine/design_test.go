package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The design guards below check the rules of design.md sections 1 and 2 over
// the real module, using `go list` and go/parser. Each guard is a pure checker
// function fed by the loader, so TestGuardCheckers can show every guard
// failing on fake input: a guard that cannot fail guards nothing.

// forbiddenDeps are packages no engine package may depend on, even
// indirectly: the engine must build unchanged for GOOS=js and leave the
// network, processes and the JavaScript bridge to its hosts.
var forbiddenDeps = []string{"syscall/js", "net/http", "os/exec", "net"}

// jsonBytePackages may be imported directly only by engine/jsonpath, so that
// one package owns how JSON bytes are read and written.
var jsonBytePackages = []string{"github.com/tidwall/gjson", "github.com/tidwall/sjson"}

// jsonBytesOwner is the one module package allowed to import jsonBytePackages.
const jsonBytesOwner = "engine/jsonpath"

// allowedEngineImports is the dependency direction of design.md section 1:
// for each engine package (relative to the module path), the engine packages
// it may import directly. An engine package missing from this table fails the
// guard: adding a package means deciding where it sits.
var allowedEngineImports = map[string][]string{
	"engine":            nil,
	"engine/states":     nil,
	"engine/history":    nil,
	"engine/jsonpath":   nil,
	"engine/intrinsic":  {"engine/jsonpath"},
	"engine/jsonata":    nil,
	"engine/asl":        {"engine/jsonpath", "engine/intrinsic", "engine/jsonata", "engine/states"},
	"engine/interp":     {"engine/asl", "engine/jsonpath", "engine/intrinsic", "engine/jsonata", "engine/states", "engine/history"},
	"engine/store":      {"engine/history"},
	"engine/store/mem":  {"engine/store", "engine/history", "engine/states"},
	"engine/store/bolt": {"engine/store", "engine/store/mem", "engine/history"},
	"engine/mock":       {"engine/interp", "engine/history", "engine/states"},
	"engine/graph":      {"engine/asl", "engine/states"},
	"engine/sfn":        {"engine/asl", "engine/jsonata", "engine/graph", "engine/interp", "engine/jsonpath", "engine/mock", "engine/store", "engine/store/mem", "engine/history", "engine/states"},
}

// hostMayImport reports whether a package outside engine/ (a host: cmd/*,
// wasm/*) may import the engine package rel. Hosts see only the API and a
// choice of store, never the interpreter's internals. engine/history is
// allowed because Store's methods take and return its events: a host that
// implements a store itself (the Worker's D1 store) needs the type.
func hostMayImport(rel string) bool {
	return rel == "engine/sfn" || rel == "engine/store" || strings.HasPrefix(rel, "engine/store/") || rel == "engine/history"
}

// forbiddenTimeFuncs are the time functions that read or wait on the wall
// clock; the engine takes its clock from interp.Env instead.
var forbiddenTimeFuncs = []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "NewTimer", "NewTicker", "Tick"}

// forbiddenRandImports are sources of randomness; ids come from interp.Env.
var forbiddenRandImports = []string{"math/rand", "math/rand/v2", "crypto/rand"}

// defaultEnvFiles are the files allowed to read the clock and randomness:
// the default environment constructors.
var defaultEnvFiles = []string{"env_default.go", "clock_default.go"}

// listedPackage is the part of `go list -json` output the guards read.
type listedPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// inModule reports whether path is the module itself or one of its packages,
// and returns it relative to the module path ("" for the root).
func inModule(module, path string) (string, bool) {
	if path == module {
		return "", true
	}
	if rel, ok := strings.CutPrefix(path, module+"/"); ok {
		return rel, true
	}
	return "", false
}

func isEngine(rel string) bool {
	return rel == "engine" || strings.HasPrefix(rel, "engine/")
}

// checkForbiddenDeps returns one violation per engine package that depends,
// directly or not, on a forbidden package.
func checkForbiddenDeps(module string, pkgs []listedPackage) []string {
	var out []string
	for _, p := range pkgs {
		rel, ok := inModule(module, p.ImportPath)
		if !ok || !isEngine(rel) {
			continue
		}
		for _, f := range forbiddenDeps {
			if slices.Contains(p.Deps, f) || slices.Contains(p.Imports, f) {
				out = append(out, fmt.Sprintf("%s depends on %s (engine/ must build for GOOS=js and do no I/O)", rel, f))
			}
		}
	}
	return out
}

// checkJSONBytesOwner returns one violation per module package other than
// engine/jsonpath that imports gjson or sjson directly.
func checkJSONBytesOwner(module string, pkgs []listedPackage) []string {
	var out []string
	for _, p := range pkgs {
		rel, ok := inModule(module, p.ImportPath)
		if !ok || rel == jsonBytesOwner {
			continue
		}
		for _, imp := range p.Imports {
			if slices.Contains(jsonBytePackages, imp) {
				out = append(out, fmt.Sprintf("%s imports %s (only %s may)", rel, imp, jsonBytesOwner))
			}
		}
	}
	return out
}

// checkDirection returns one violation per import edge between module
// packages that targets an engine package and is not allowed: engine packages
// follow the allowed table, every other module package is a host and follows
// hostMayImport, and engine packages never import hosts.
func checkDirection(module string, pkgs []listedPackage, allowed map[string][]string) []string {
	var out []string
	for _, p := range pkgs {
		from, ok := inModule(module, p.ImportPath)
		if !ok {
			continue
		}
		if isEngine(from) {
			if _, known := allowed[from]; !known {
				out = append(out, fmt.Sprintf("%s is not in the dependency table of engine/design_test.go: decide which engine packages it may import and add it", from))
				continue
			}
		}
		for _, imp := range p.Imports {
			to, ok := inModule(module, imp)
			if !ok {
				continue
			}
			switch {
			case isEngine(from) && !isEngine(to):
				out = append(out, fmt.Sprintf("%s imports %s: engine packages must not import hosts", from, displayRel(to)))
			case isEngine(from) && !slices.Contains(allowed[from], to):
				out = append(out, fmt.Sprintf("%s imports %s: not an allowed edge (allowed: %s)", from, to, strings.Join(allowed[from], ", ")))
			case !isEngine(from) && isEngine(to) && !hostMayImport(to):
				out = append(out, fmt.Sprintf("%s imports %s: hosts may import only engine/sfn, engine/store/... and engine/history", displayRel(from), to))
			}
		}
	}
	return out
}

func displayRel(rel string) string {
	if rel == "" {
		return "(module root)"
	}
	return rel
}

// checkSource returns the wall-clock and randomness uses in one Go file:
// imports of forbiddenRandImports, and any reference (call or value) to a
// forbiddenTimeFuncs function of package time, however time is imported.
func checkSource(filename string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	timeName := ""
	for _, spec := range f.Imports {
		path, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return nil, err
		}
		pos := fset.Position(spec.Pos())
		if slices.Contains(forbiddenRandImports, path) {
			out = append(out, fmt.Sprintf("%s:%d imports %s (randomness comes from interp.Env)", filename, pos.Line, path))
		}
		if path != "time" {
			continue
		}
		switch {
		case spec.Name == nil:
			timeName = "time"
		case spec.Name.Name == ".":
			out = append(out, fmt.Sprintf("%s:%d dot-imports time (the clock guard cannot see through it)", filename, pos.Line))
		case spec.Name.Name != "_":
			timeName = spec.Name.Name
		}
	}
	if timeName == "" {
		return out, nil
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if ok && id.Name == timeName && slices.Contains(forbiddenTimeFuncs, sel.Sel.Name) {
			pos := fset.Position(sel.Pos())
			out = append(out, fmt.Sprintf("%s:%d uses time.%s (the clock comes from interp.Env)", filename, pos.Line, sel.Sel.Name))
		}
		return true
	})
	return out, nil
}

// skipSourceFile reports whether the source guard ignores a file: tests and
// the default environment constructors may use the real clock.
func skipSourceFile(name string) bool {
	return !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || slices.Contains(defaultEnvFiles, name)
}

func skipGuardsOnJS(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Skip("design guards run `go list`, which GOOS=js cannot exec")
	}
}

// goList returns the module path and its packages, loaded once for all
// guards.
func goList(t *testing.T) (string, []listedPackage) {
	t.Helper()
	l, err := loadPackages()
	if err != nil {
		t.Fatal(err)
	}
	return l.module, l.pkgs
}

type listing struct {
	module string
	pkgs   []listedPackage
}

// loadPackages lists the module's packages twice, for the host platform and
// for GOOS=js GOARCH=wasm, and merges them, so files behind either build
// constraint are seen. Packages that do not compile still report their
// imports (-e); compiling them is the other tests' job.
var loadPackages = sync.OnceValues(func() (listing, error) {
	root, err := moduleRoot()
	if err != nil {
		return listing{}, err
	}
	out, err := runGo(root, nil, "list", "-m")
	if err != nil {
		return listing{}, fmt.Errorf("go list -m: %w", err)
	}
	module := strings.TrimSpace(string(out))
	merged := map[string]*listedPackage{}
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		out, err := runGo(root, env, "list", "-e", "-json=ImportPath,Imports,Deps", "./...")
		if err != nil {
			return listing{}, fmt.Errorf("go list %v: %w", env, err)
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		for {
			var p listedPackage
			if err := dec.Decode(&p); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return listing{}, fmt.Errorf("decoding go list output: %w", err)
			}
			if len(env) > 0 {
				// Under GOOS=js the standard library itself (os, time,
				// syscall) sits on syscall/js, so only a direct import of it
				// counts; the host listing catches the other forbidden
				// packages reached through the standard library.
				p.Deps = slices.DeleteFunc(p.Deps, func(d string) bool { return d == "syscall/js" })
			}
			m, ok := merged[p.ImportPath]
			if !ok {
				m = &listedPackage{ImportPath: p.ImportPath}
				merged[p.ImportPath] = m
			}
			m.Imports = union(m.Imports, p.Imports)
			m.Deps = union(m.Deps, p.Deps)
		}
	}
	var pkgs []listedPackage
	for _, p := range merged {
		pkgs = append(pkgs, *p)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].ImportPath < pkgs[j].ImportPath })
	if len(pkgs) == 0 {
		return listing{}, errors.New("go list found no packages")
	}
	return listing{module, pkgs}, nil
})

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

func moduleRoot() (string, error) {
	out, err := runGo(".", nil, "env", "GOMOD")
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a module")
	}
	return filepath.Dir(gomod), nil
}

func runGo(dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	return out, nil
}

func reportViolations(t *testing.T, violations []string) {
	t.Helper()
	for _, v := range violations {
		t.Error(v)
	}
}

func TestEngineForbiddenDeps(t *testing.T) {
	skipGuardsOnJS(t)
	module, pkgs := goList(t)
	reportViolations(t, checkForbiddenDeps(module, pkgs))
}

func TestOnlyJSONPathImportsGJSON(t *testing.T) {
	skipGuardsOnJS(t)
	module, pkgs := goList(t)
	reportViolations(t, checkJSONBytesOwner(module, pkgs))
}

func TestDependencyDirection(t *testing.T) {
	skipGuardsOnJS(t)
	module, pkgs := goList(t)
	reportViolations(t, checkDirection(module, pkgs, allowedEngineImports))
}

func TestEngineNoClockOrRandomness(t *testing.T) {
	skipGuardsOnJS(t)
	// The test runs in engine/, so "." is the whole engine tree.
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if skipSourceFile(d.Name()) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		violations, err := checkSource(filepath.Join("engine", path), src)
		if err != nil {
			// A file that does not parse fails its own package's build;
			// say so here too rather than pass silently.
			t.Errorf("cannot check %s: %v", path, err)
			return nil
		}
		reportViolations(t, violations)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGuardCheckers shows that each guard fails on a violation and passes on
// code that keeps the rule.
func TestGuardCheckers(t *testing.T) {
	const mod = "example.com/m"
	pkg := func(rel string, imports []string, deps ...string) listedPackage {
		p := listedPackage{ImportPath: mod + "/" + rel, Deps: deps}
		for _, imp := range imports {
			if strings.HasPrefix(imp, "engine") || strings.HasPrefix(imp, "cmd/") || strings.HasPrefix(imp, "wasm/") {
				imp = mod + "/" + imp
			}
			p.Imports = append(p.Imports, imp)
		}
		return p
	}
	table := map[string][]string{
		"engine/jsonpath": nil,
		"engine/asl":      {"engine/jsonpath"},
		"engine/sfn":      {"engine/asl"},
		"engine/store":    nil,
	}

	pkgTests := []struct {
		name  string
		check func(string, []listedPackage) []string
		pkgs  []listedPackage
		want  int
	}{
		{"forbidden direct import", checkForbiddenDeps,
			[]listedPackage{pkg("engine/asl", []string{"net/http"}, "net/http")}, 1},
		{"forbidden indirect dep", checkForbiddenDeps,
			[]listedPackage{pkg("engine/asl", []string{"example.org/x"}, "example.org/x", "net", "syscall/js")}, 2},
		{"forbidden dep outside engine is fine", checkForbiddenDeps,
			[]listedPackage{pkg("cmd/stepwise", []string{"net/http", "os/exec"}, "net/http", "os/exec", "net")}, 0},
		{"clean engine deps", checkForbiddenDeps,
			[]listedPackage{pkg("engine/asl", []string{"encoding/json"}, "encoding/json", "net/netip")}, 0},
		{"gjson in jsonpath", checkJSONBytesOwner,
			[]listedPackage{pkg("engine/jsonpath", []string{"github.com/tidwall/gjson", "github.com/tidwall/sjson"})}, 0},
		{"gjson elsewhere in engine", checkJSONBytesOwner,
			[]listedPackage{pkg("engine/interp", []string{"github.com/tidwall/gjson"})}, 1},
		{"sjson in a host", checkJSONBytesOwner,
			[]listedPackage{pkg("cmd/stepwise", []string{"github.com/tidwall/sjson"})}, 1},
		{"gjson only indirectly", checkJSONBytesOwner,
			[]listedPackage{pkg("engine/asl", []string{"engine/jsonpath"}, "github.com/tidwall/gjson")}, 0},
		{"allowed edges", func(m string, p []listedPackage) []string { return checkDirection(m, p, table) },
			[]listedPackage{
				pkg("engine/asl", []string{"engine/jsonpath", "strings"}),
				pkg("engine/sfn", []string{"engine/asl"}),
				pkg("cmd/stepwise", []string{"engine/sfn", "engine/store", "engine/store/mem", "wasm/x"}),
				pkg("wasm/browser", []string{"engine/sfn", "syscall/js"}),
			}, 0},
		{"upward edge", func(m string, p []listedPackage) []string { return checkDirection(m, p, table) },
			[]listedPackage{pkg("engine/jsonpath", []string{"engine/asl"})}, 1},
		{"skipped layer is not allowed", func(m string, p []listedPackage) []string { return checkDirection(m, p, table) },
			[]listedPackage{pkg("engine/sfn", []string{"engine/asl", "engine/jsonpath"})}, 1},
		{"host reaches past sfn", func(m string, p []listedPackage) []string { return checkDirection(m, p, table) },
			[]listedPackage{pkg("cmd/stepwise", []string{"engine/sfn", "engine/asl"}), pkg("wasm/browser", []string{"engine/jsonpath"})}, 2},
		{"engine imports a host", func(m string, p []listedPackage) []string { return checkDirection(m, p, table) },
			[]listedPackage{pkg("engine/sfn", []string{"cmd/stepwise"})}, 1},
		{"engine package missing from table", func(m string, p []listedPackage) []string { return checkDirection(m, p, table) },
			[]listedPackage{pkg("engine/newthing", []string{"strings"})}, 1},
		{"packages of other modules are ignored", func(m string, p []listedPackage) []string { return checkDirection(m, p, table) },
			[]listedPackage{{ImportPath: "example.org/other/engine/x", Imports: []string{mod + "/engine/asl"}}}, 0},
	}
	for _, tt := range pkgTests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.check(mod, tt.pkgs)
			if len(got) != tt.want {
				t.Errorf("got %d violations, want %d: %q", len(got), tt.want, got)
			}
		})
	}

	srcTests := []struct {
		name string
		src  string
		want int
	}{
		{"clean", `package p; import "time"; func f(d time.Duration) time.Time { return time.Unix(0, 0).Add(d) }`, 0},
		{"time.Now call", `package p; import "time"; func f() time.Time { return time.Now() }`, 1},
		{"time.Now as a value", `package p; import "time"; var now = time.Now`, 1},
		{"aliased time", `package p; import clock "time"; func f() { clock.Sleep(1); <-clock.After(1) }`, 2},
		{"timers and tickers", `package p; import "time"; func f() { time.NewTimer(1); time.Tick(1); _ = time.Since }`, 3},
		{"dot import", `package p; import . "time"; func f() { Sleep(1) }`, 1},
		{"no time import, same names", `package p; type c struct{}; func (c) Now() {}; var time c; func f() { time.Now() }`, 0},
		{"math/rand", `package p; import "math/rand"; var _ = rand.Int`, 1},
		{"rand v2 and crypto", `package p; import ("math/rand/v2"; cr "crypto/rand"); var _, _ = rand.Int, cr.Read`, 2},
	}
	for _, tt := range srcTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checkSource("x.go", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("got %d violations, want %d: %q", len(got), tt.want, got)
			}
		})
	}
	if _, err := checkSource("bad.go", []byte("package p; func {")); err == nil {
		t.Error("checkSource accepted a file that does not parse")
	}

	for name, want := range map[string]bool{
		"run.go": false, "run_test.go": true, "env_default.go": true, "clock_default.go": true,
		"env_default_test.go": true, "README.md": true, "my_env_default.go": false,
	} {
		if got := skipSourceFile(name); got != want {
			t.Errorf("skipSourceFile(%q) = %v, want %v", name, got, want)
		}
	}
}
