package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Login is required unless a config turns it off in so many words.
func TestLoginRequiredByDefault(t *testing.T) {
	dir := t.TempDir()
	base := "data_dir = \".\"\ngenesis = \"genesis.json\"\n"
	for body, want := range map[string]bool{
		base:                             true,
		base + "require_login = true\n":  true,
		base + "require_login = false\n": false,
	} {
		path := filepath.Join(dir, "sinkron.toml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		if c.LoginRequired() != want {
			t.Errorf("%q: LoginRequired %v, want %v", body, c.LoginRequired(), want)
		}
		// Written back, an absent key stays absent (so still true), and
		// an explicit one is kept.
		if err := WriteConfig(path, c); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), "require_login") != strings.Contains(body, "require_login") {
			t.Errorf("%q written as %s", body, b)
		}
	}
}
