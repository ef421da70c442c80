package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readmeCommand is one stepwise command line found in the README.
type readmeCommand struct {
	line int      // 1-based line number in README.md
	text string   // the command as written (continuations joined)
	args []string // the arguments after the program name
	code int      // the exit code the README promises
}

var exitsComment = regexp.MustCompile(`^#\s*exits\s+(\d+)\s*$`)

// readmeCommands returns the stepwise commands in the ```sh and bare ```
// code blocks of a README. Lines that use the shell beyond quoting (pipes,
// redirections, substitutions, variables, several commands) are skipped,
// with the reason.
func readmeCommands(readme string) (cmds []readmeCommand, skipped []string) {
	sc := bufio.NewScanner(strings.NewReader(readme))
	inBlock, shell := false, false
	n := 0
	pending, start := "", 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			if inBlock {
				inBlock = false
				continue
			}
			inBlock = true
			lang := strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			shell = lang == "" || lang == "sh" || lang == "shell" || lang == "bash" || lang == "console"
			continue
		}
		if !inBlock || !shell {
			continue
		}
		if pending != "" {
			pending += " " + trimmed
		} else {
			trimmed = strings.TrimPrefix(trimmed, "$ ")
			if !strings.HasPrefix(trimmed, "bin/stepwise ") && !strings.HasPrefix(trimmed, "stepwise ") {
				continue
			}
			pending, start = trimmed, n
		}
		if strings.HasSuffix(pending, `\`) {
			pending = strings.TrimSuffix(pending, `\`)
			continue
		}
		text := pending
		pending = ""
		words, comment, err := shellWords(text)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("README.md:%d: %s: %v", start, text, err))
			continue
		}
		c := readmeCommand{line: start, text: text, args: words[1:]}
		if m := exitsComment.FindStringSubmatch(comment); m != nil {
			c.code, _ = strconv.Atoi(m[1])
		}
		cmds = append(cmds, c)
	}
	return cmds, skipped
}

// shellWords splits a command line as sh would for the simple commands a
// README shows: words, single and double quotes, backslash escapes and a
// trailing # comment. It refuses everything else the shell would interpret.
func shellWords(s string) (words []string, comment string, err error) {
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			return words, strings.TrimSpace(s[i:]), nil
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated single quote")
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				switch s[i] {
				case '$', '`':
					return nil, "", fmt.Errorf("shell expansion in double quotes")
				case '\\':
					if i+1 < len(s) && strings.IndexByte("$`\"\\", s[i+1]) >= 0 {
						i++
					}
				}
				w.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, "", fmt.Errorf("unterminated double quote")
			}
			inWord = true
		case c == '\\':
			if i+1 < len(s) {
				i++
				w.WriteByte(s[i])
			}
			inWord = true
		case strings.IndexByte("|&;<>()$`*?[{~", c) >= 0:
			return nil, "", fmt.Errorf("uses the shell (%q)", c)
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, "", nil
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		in      string
		words   []string
		comment string
		err     bool
	}{
		{`stepwise run a.json`, []string{"stepwise", "run", "a.json"}, "", false},
		{`stepwise run a.json --input '{"a": 1}'`, []string{"stepwise", "run", "a.json", "--input", `{"a": 1}`}, "", false},
		{`stepwise run "my file.json" # exits 1`, []string{"stepwise", "run", "my file.json"}, "# exits 1", false},
		{`stepwise run a#b.json`, []string{"stepwise", "run", "a#b.json"}, "", false},
		{`stepwise run x\ y "a\"b"`, []string{"stepwise", "run", "x y", `a"b`}, "", false},
		{`stepwise run a.json | jq .`, nil, "", true},
		{`stepwise run a.json > out.txt`, nil, "", true},
		{`stepwise run a.json && echo ok`, nil, "", true},
		{`stepwise run "$HOME/a.json"`, nil, "", true},
		{`stepwise run 'unterminated`, nil, "", true},
	}
	for _, tt := range tests {
		words, comment, err := shellWords(tt.in)
		if (err != nil) != tt.err || !tt.err && (!reflect.DeepEqual(words, tt.words) || comment != tt.comment) {
			t.Errorf("shellWords(%s) = %q, %q, %v; want %q, %q, error %v", tt.in, words, comment, err, tt.words, tt.comment, tt.err)
		}
	}
}

func TestReadmeCommandsParser(t *testing.T) {
	readme := "# T\n\n    stepwise run indented.json\n\n```sh\n$ bin/stepwise run a.json --input '{}'\nstepwise validate bad.json  # exits 1\n" +
		"echo not ours\nstepwise run a.json | jq .\nbin/stepwise run long.json \\\n  --history\n```\n\n```json\n{\"stepwise run\": 1}\nstepwise run in-json.json\n```\n" +
		"```\nstepwise conformance\n```\n"
	cmds, skipped := readmeCommands(readme)
	var got []string
	for _, c := range cmds {
		got = append(got, fmt.Sprintf("%d %q %d", c.line, c.args, c.code))
	}
	want := []string{
		`6 ["run" "a.json" "--input" "{}"] 0`,
		`7 ["validate" "bad.json"] 1`,
		`10 ["run" "long.json" "--history"] 0`,
		`19 ["conformance"] 0`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("commands\n got %q\nwant %q", got, want)
	}
	if len(skipped) != 1 || !strings.HasPrefix(skipped[0], "README.md:9:") {
		t.Errorf("skipped %q, want line 9", skipped)
	}
}

// TestReadme runs every stepwise command of the README from the repository
// root, so the README cannot lie about what they do.
func TestReadme(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Skipf("no README: %v", err)
	}
	cmds, skipped := readmeCommands(string(data))
	for _, s := range skipped {
		t.Logf("not run (needs a shell): %s", s)
	}
	if len(cmds) == 0 {
		t.Log("README.md has no stepwise command lines in ```sh code blocks yet")
		return
	}
	t.Chdir(root)
	for _, c := range cmds {
		t.Run(fmt.Sprintf("line%d", c.line), func(t *testing.T) {
			if len(c.args) > 0 && c.args[0] == "serve" {
				t.Skipf("%s: serve runs until stopped", c.text)
			}
			code, stdout, stderr := cli(t, "", c.args...)
			if code != c.code {
				t.Errorf("README.md:%d: %s\nexit %d, want %d\nstdout:\n%s\nstderr:\n%s", c.line, c.text, code, c.code, stdout, stderr)
			}
		})
	}
}
