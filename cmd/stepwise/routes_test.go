//go:build !js

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stepwise-sfn/stepwise/engine/history"
)

const (
	orderDef    = "testdata/order.asl.json"
	orderRoutes = "testdata/order.routes.json"
)

func needSh(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh here:", err)
	}
}

// The Lambda task is served by a shell command reading its input on
// stdin; the DynamoDB task is routed to a failure, which Catch takes.
func TestRunRoutes(t *testing.T) {
	needSh(t)
	code, stdout, stderr := cli(t, "", "run", orderDef, "--routes", orderRoutes, "--input", `{"id":"o-1","qty":3}`)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	want := `{"id":"o-1","qty":3,"price":{"total":21,"by":"Price"},"storeError":{"Error":"NotRouted","Cause":"DynamoDB is not served here"}}` + "\n"
	if stdout != want {
		t.Errorf("stdout %q\nwant   %q", stdout, want)
	}
	// --mock-config is the same flag.
	if code, stdout2, _ := cli(t, "", "run", orderDef, "--mock-config", orderRoutes, "--input", `{"id":"o-1","qty":3}`); code != 0 || stdout2 != want {
		t.Errorf("--mock-config: exit %d, stdout %q", code, stdout2)
	}
}

// The history records the routed failure as the resource's own failure.
func TestRunRoutesHistory(t *testing.T) {
	needSh(t)
	code, stdout, stderr := cli(t, "", "run", orderDef, "--routes", orderRoutes, "--input", `{"id":"o-1","qty":1}`, "--json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var page struct {
		Events []history.Event `json:"events"`
	}
	if err := json.Unmarshal([]byte(stdout), &page); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range page.Events {
		switch d := e.Details.(type) {
		case *history.TaskDetails:
			if e.Type == history.TaskSucceeded {
				got = append(got, string(e.Type)+" "+d.Resource+" "+string(d.Output))
			} else if e.Type == history.TaskFailed {
				got = append(got, string(e.Type)+" "+d.Resource+" "+d.Error+": "+d.Cause)
			}
		}
	}
	want := []string{
		`TaskSucceeded invoke {"StatusCode":200,"Payload":{"total":7,"by":"Price"}}`,
		`TaskFailed putItem NotRouted: DynamoDB is not served here`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("task events\n got %q\nwant %q", got, want)
	}
}

// writeRun writes a one-task definition and a routing file that sends its
// task to the command script (sh -c), and runs them.
func writeRun(t *testing.T, task, script string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	def := `{"StartAt":"T","States":{"T":` + task + `}}`
	routes, _ := json.Marshal(map[string]any{"Routes": []any{
		map[string]any{"State": "T", "Handler": map[string]any{"Command": []string{"sh", "-c", script}}},
	}})
	if err := os.WriteFile(filepath.Join(dir, "m.asl.json"), []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "routes.json"), routes, 0o644); err != nil {
		t.Fatal(err)
	}
	return cli(t, "", "run", filepath.Join(dir, "m.asl.json"), "--routes", filepath.Join(dir, "routes.json"), "--input", `{"n":1}`)
}

func TestRunCommandOutcomes(t *testing.T) {
	needSh(t)
	lambda := `{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","End":true}`
	tests := []struct {
		name, task, script string
		code               int
		out                string   // stdout when it succeeds
		errs               []string // parts of stderr when it fails
	}{
		{"stdin to stdout", lambda, `cat`, 0, `{"n":1}`, nil},
		{"no output is null", lambda, `true`, 0, `null`, nil},
		{"the routing file's folder is the working directory", lambda, `test -f routes.json && echo '"here"'`, 0, `"here"`, nil},
		{"named error on stdout", lambda, `echo '{"Error":"Card.Declined","Cause":"no funds"}'; exit 3`, 1, "",
			[]string{"error: Card.Declined", "cause: no funds"}},
		{"stderr's last lines", lambda, `echo one >&2; echo 'it broke' >&2; exit 2`, 1, "",
			[]string{"error: States.TaskFailed", "cause: The command sh exited with status 2.\none\nit broke"}},
		{"output that is not JSON", lambda, `echo hello`, 1, "", []string{"error: States.Runtime"}},
		{"a program that does not exist", lambda, `exec /nonexistent/prog`, 1, "", []string{"error: States.TaskFailed", "cause: The command sh exited with status 127"}},
		{"TimeoutSeconds kills it", `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":1,"End":true}`,
			`exec sleep 30`, 1, "", []string{"error: States.Timeout", "did not finish within the state's TimeoutSeconds (1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := writeRun(t, tt.task, tt.script)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", code, tt.code, stdout, stderr)
			}
			if tt.code == 0 && stdout != tt.out+"\n" {
				t.Errorf("stdout %q, want %q", stdout, tt.out)
			}
			for _, e := range tt.errs {
				if !strings.Contains(stderr, e) {
					t.Errorf("stderr %q lacks %q", stderr, e)
				}
			}
		})
	}
}

// An HTTP route posts the task's input to the URL; the body is the result.
func TestRunHTTPRoute(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Stepwise-State-Name") != "T" ||
			json.NewDecoder(r.Body).Decode(&in) != nil {
			w.WriteHeader(400)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"got": in, "path": r.URL.Path})
	}))
	defer srv.Close()
	dir := t.TempDir()
	def := filepath.Join(dir, "m.asl.json")
	os.WriteFile(def, []byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}`), 0o644)
	routes := filepath.Join(dir, "routes.json")
	os.WriteFile(routes, []byte(`{"Routes":[{"Resource":"arn:aws:states:::sqs:*","Http":{"Url":"`+srv.URL+`/sqs"}}]}`), 0o644)
	code, stdout, stderr := cli(t, "", "run", def, "--routes", routes, "--input", `{"n":1}`)
	if code != 0 || stdout != `{"got":{"n":1},"path":"/sqs"}`+"\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestRunRoutesBadFile(t *testing.T) {
	dir := t.TempDir()
	routes := filepath.Join(dir, "routes.json")
	os.WriteFile(routes, []byte(`{"Routes":[{"State":"T","Handler":{"Command":[]}}]}`), 0o644)
	code, _, stderr := cli(t, "", "run", orderDef, "--routes", routes)
	if code != 2 || !strings.Contains(stderr, "mock config: Routes[0].Handler: needs Name or a non-empty Command") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
