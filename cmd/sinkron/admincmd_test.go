package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sinkron-id/sinkron/node"
)

const firstAdminPass = "sandi-adb-pertama"

// initOffice runs `sinkron init` for an office under dir with extra flags
// and the password on stdin.
func initOffice(t *testing.T, dir, name, region, stdin string, extra ...string) error {
	t.Helper()
	args := append([]string{"--dir", dir, "--office", name, "--region", region,
		"--listen", "/ip4/127.0.0.1/tcp/0", "--api", "127.0.0.1:0"}, extra...)
	var out bytes.Buffer
	err := initNode(args, strings.NewReader(stdin), &out)
	t.Logf("init %s: %s", name, out.String())
	return err
}

// startOffice starts the node of an initialised office, without mDNS.
func startOffice(t *testing.T, dir string) *node.Node {
	t.Helper()
	cfg, err := node.LoadConfig(filepath.Join(dir, "sinkron.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.LoginRequired() {
		t.Fatal("init wrote a config without login")
	}
	cfg.MDNS = false
	n, err := node.New(cfg, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The first ADB SIAK is given at `sinkron init --admin` with the
// operator's password (never a default), kept hashed until the node's
// first start creates the account; an existing node without an ADB SIAK
// gets one with `sinkron akun admin`, and one that has one is not given a
// second.
func TestFirstAdminFromInitAndAkunAdmin(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	err := initOffice(t, a, "Kecamatan Kota Agung", "180601", "pendek\n", "--admin", "adb")
	if err == nil || !strings.Contains(err.Error(), "minimal 10 karakter") {
		t.Fatalf("short password: %v", err)
	}
	if _, err := os.Stat(a); !os.IsNotExist(err) {
		t.Fatalf("a refused init left %s behind: %v", a, err)
	}
	if err := initOffice(t, a, "Kecamatan Kota Agung", "180601", firstAdminPass+"\n", "--admin", "adb", "--admin-name", "Siti Administrator"); err != nil {
		t.Fatal(err)
	}
	pending := filepath.Join(a, node.PendingAdminFile)
	st, err := os.Stat(pending)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("pending admin file: %v %v", st, err)
	}
	if body, _ := os.ReadFile(pending); bytes.Contains(body, []byte(firstAdminPass)) || !bytes.Contains(body, []byte("$argon2id$")) {
		t.Fatalf("pending admin file holds %s", body)
	}
	if err := initOffice(t, b, "Kecamatan Pulau Panggung", "180602", ""); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := genesis([]string{"--dir", root, "--regency", "Kabupaten Tanggamus",
		"--member", filepath.Join(a, "member.json"), "--member", filepath.Join(b, "member.json")}, &out); err != nil {
		t.Fatal(err)
	}
	g, _ := os.ReadFile(filepath.Join(root, "genesis.json"))
	for _, d := range []string{a, b} {
		if err := os.WriteFile(filepath.Join(d, "genesis.json"), g, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	na := startOffice(t, a)
	if _, _, err := na.Accounts.Login("adb", firstAdminPass); err != nil {
		t.Fatalf("first ADB SIAK: %v", err)
	}
	if _, err := os.Stat(pending); !os.IsNotExist(err) {
		t.Fatalf("pending file kept after the account was created: %v", err)
	}
	na.Close()
	// A second administrator by the back door: not created.
	if err := accountCmd([]string{"admin", "--config", filepath.Join(a, "sinkron.toml"), "--user", "adb2"},
		strings.NewReader("sandi-adb-kedua\n"), &out); err != nil {
		t.Fatal(err)
	}
	na = startOffice(t, a)
	if _, err := na.Accounts.Get("adb2"); err == nil {
		t.Fatal("a second ADB SIAK came in through the pending file")
	}
	na.Close()

	// An office that started without any account gets its ADB SIAK.
	nb := startOffice(t, b)
	nb.Close()
	if err := accountCmd([]string{"admin", "--config", filepath.Join(b, "sinkron.toml"), "--user", "adb-pp", "--name", "Budi Santoso"},
		strings.NewReader(firstAdminPass+"\n"), &out); err != nil {
		t.Fatal(err)
	}
	nb = startOffice(t, b)
	defer nb.Close()
	if _, s, err := nb.Accounts.Login("adb-pp", firstAdminPass); err != nil || s.FullName != "Budi Santoso" {
		t.Fatalf("ADB SIAK of a running office: %v %v", s, err)
	}
}
