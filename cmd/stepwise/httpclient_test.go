//go:build !js

package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dateHeader matches the server's Date header in a task output.
var dateHeader = regexp.MustCompile(`"date":\["[^"]*"\]`)

// httpTaskDef is a state machine with one HTTP Task (these Parameters plus
// a connection) whose failures are caught into $.err.
func httpTaskDef(params string) string {
	return `{"StartAt":"Call","States":{
		"Call":{"Type":"Task","Resource":"arn:aws:states:::http:invoke",
			"Parameters":{"Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/c/1"},` + params + `},
			"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Caught"}],"End":true},
		"Caught":{"Type":"Pass","End":true}}}`
}

func TestRunHTTPTask(t *testing.T) {
	var seen struct{ method, query, body, contentType, userAgent string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen.method, seen.query, seen.body = r.Method, r.URL.RawQuery, string(b)
		seen.contentType, seen.userAgent = r.Header.Get("Content-Type"), r.Header.Get("User-Agent")
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok": true, "n": [1, 2]}`))
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("plain words"))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"nothing here"}`))
		}
	}))
	defer srv.Close()
	// A port with nothing listening: connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name, params string
		output       string // the execution output (jsonEqual), or
		contains     string // a part of it
		method       string
		query, body  string
		contentType  string
	}{
		{
			name:   "JSON response",
			params: `"ApiEndpoint":"` + srv.URL + `/json","Method":"GET","QueryParameters":{"q":"a b","id":"7"}`,
			output: `{"Headers":{"content-length":["25"],"content-type":["application/json"],"date":["DATE"]},"ResponseBody":{"ok":true,"n":[1,2]},"StatusCode":200,"StatusText":"OK"}`,
			method: "GET", query: "q=a+b&id=7",
		},
		{
			name:     "text response",
			params:   `"ApiEndpoint":"` + srv.URL + `/text","Method":"POST","RequestBody":{"a":1}`,
			contains: `"ResponseBody":"plain words","StatusCode":200,"StatusText":"OK"`,
			method:   "POST", body: `{"a":1}`, contentType: "application/json; charset=UTF-8",
		},
		{
			name: "URL-encoded body",
			params: `"ApiEndpoint":"` + srv.URL + `/text","Method":"PUT","RequestBody":{"name":"x y","list":["a","b"]},
				"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"BRACKETS"}}`,
			contains: `"ResponseBody":"plain words"`,
			method:   "PUT", body: "name=x+y&list[]=a&list[]=b", contentType: "application/x-www-form-urlencoded",
		},
		{
			name:     "404 caught",
			params:   `"ApiEndpoint":"` + srv.URL + `/missing","Method":"DELETE"`,
			contains: `"err":{"Error":"States.Http.StatusCode.404","Cause":"{\"Headers\":`,
			method:   "DELETE",
		},
		{
			name:     "connection refused",
			params:   `"ApiEndpoint":"` + closed + `/x","Method":"GET"`,
			contains: `"err":{"Error":"States.Http.Socket","Cause":`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen.method, seen.query, seen.body, seen.contentType = "", "", "", ""
			def := filepath.Join(t.TempDir(), "http.asl.json")
			if err := os.WriteFile(def, []byte(httpTaskDef(tc.params)), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := cli(t, "", "run", def)
			if code != 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			out := strings.TrimSpace(stdout)
			if tc.output != "" {
				out = dateHeader.ReplaceAllString(out, `"date":["DATE"]`)
				if !jsonEqual(t, out, tc.output) {
					t.Errorf("output %s\nwant %s", out, tc.output)
				}
			}
			if tc.contains != "" && !strings.Contains(out, tc.contains) {
				t.Errorf("output %s\nwant it to contain %s", out, tc.contains)
			}
			if seen.method != tc.method || seen.query != tc.query || seen.body != tc.body || seen.contentType != tc.contentType {
				t.Errorf("server saw %+v", seen)
			}
			if tc.method != "" && seen.userAgent != "Amazon|StepFunctions|HttpInvoke|us-east-1" {
				t.Errorf("User-Agent %q", seen.userAgent)
			}
		})
	}
}
