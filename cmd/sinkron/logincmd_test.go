package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// evalExports does what `eval $(sinkron login …)` does with the export
// lines login prints.
func evalExports(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		words, ok := strings.CutPrefix(line, "export ")
		if !ok {
			t.Fatalf("login printed %q, not an export", line)
		}
		for _, w := range strings.Fields(words) {
			k, v, ok := strings.Cut(w, "=")
			if !ok {
				t.Fatalf("export %q", w)
			}
			t.Setenv(k, strings.Trim(v, "'"))
		}
	}
}

// `eval $(sinkron login --user NAME --addr K)` leaves the shell ready for
// the next command at K: it exports the address as well as the token.
func TestLoginExportsWhatTheNextCommandNeeds(t *testing.T) {
	k := serveOffice(t, true)
	t.Setenv("SINKRON_ADDR", "")
	t.Setenv("SINKRON_TOKEN", "")
	var out strings.Builder
	if err := loginClient(context.Background(), []string{"--user", "uji", "--addr", k.addr}, strings.NewReader(cliTestPass+"\n"), &out); err != nil {
		t.Fatal(err)
	}
	evalExports(t, out.String())
	if got := os.Getenv("SINKRON_ADDR"); got != k.addr {
		t.Fatalf("after eval SINKRON_ADDR=%q, want %q (login printed %q)", got, k.addr, out.String())
	}
	if _, err := runEnv(t, "request", "list"); err != nil {
		t.Fatalf("request list after login: %v", err)
	}
}

// Global flags (--addr, --token, --json) work before the command as well
// as after it.
func TestGlobalFlagsBeforeOrAfterTheCommand(t *testing.T) {
	k := serveOffice(t, true)
	t.Setenv("SINKRON_ADDR", "")
	t.Setenv("SINKRON_TOKEN", "")
	tests := []struct {
		name string
		args []string
		json bool
	}{
		{"before", []string{"--addr", k.addr, "--token", k.token, "request", "list"}, false},
		{"before with =", []string{"--addr=" + k.addr, "--token=" + k.token, "status"}, false},
		{"after", []string{"request", "list", "--addr", k.addr, "--token", k.token}, false},
		{"mixed", []string{"--addr", k.addr, "peers", "--token", k.token}, false},
		{"json before", []string{"--json", "--addr", k.addr, "--token", k.token, "status"}, true},
		{"json after", []string{"status", "--addr", k.addr, "--token", k.token, "--json"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runEnv(t, tc.args...)
			if err != nil {
				t.Fatalf("sinkron %s: %v", strings.Join(tc.args, " "), err)
			}
			if tc.json && !json.Valid([]byte(out)) {
				t.Fatalf("--json printed no JSON:\n%s", out)
			}
		})
	}
}

func TestHoist(t *testing.T) {
	tests := []struct{ in, want string }{
		{"--addr K request list", "request list --addr K"},
		{"--addr=K --token T status", "status --addr=K --token T"},
		{"--json peers --token T", "peers --token T --json"},
		{"request list --addr K", "request list --addr K"},
		{"--json", ""},
		{"", ""},
		{"--help", "--help"},
		{"--addr K --verbose status", "--verbose status --addr K"},
	}
	for _, tc := range tests {
		if got := strings.Join(hoist(strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("hoist(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
