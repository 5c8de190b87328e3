package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/account"
)

// defaultAdminName is the full name of a first ADB SIAK account when the
// operator gives none. An account's full name cannot be changed later, so
// giving the officer's own is better.
const defaultAdminName = "Administrator Database SIAK"

// accountCmd runs `sinkron akun …`, the account commands that work on a
// node's files rather than through its API.
func accountCmd(args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 || args[0] != "admin" {
		return fmt.Errorf("usage: sinkron akun admin --config sinkron.toml --user NAME [--name \"Nama Lengkap\"]")
	}
	fs := flag.NewFlagSet("akun admin", flag.ContinueOnError)
	cfgPath := fs.String("config", "sinkron.toml", "config file of the node")
	user := fs.String("user", "", "nama pengguna ADB SIAK yang baru")
	name := fs.String("name", defaultAdminName, "nama lengkap petugas")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *user == "" {
		return errors.New("akun admin: --user wajib diisi")
	}
	cfg, err := node.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if err := pendingAdmin(cfg.DataDir, *user, *name, in); err != nil {
		return err
	}
	fmt.Fprintf(out, "akun ADB SIAK %q akan dibuat saat node dijalankan berikutnya (sinkron node --config %s),\n"+
		"jika node belum memiliki ADB SIAK yang aktif. Hentikan node terlebih dahulu bila sedang berjalan.\n", *user, *cfgPath)
	return nil
}

// pendingAdmin reads the new administrator's password, checks it with the
// account rules and leaves the hashed account in dataDir for the node.
func pendingAdmin(dataDir, user, fullName string, in io.Reader) error {
	pw, err := readNewPassword(in, os.Stderr)
	if err != nil {
		return err
	}
	p, err := account.NewPendingAdmin(user, fullName, pw)
	if err != nil {
		return fmt.Errorf("akun ADB SIAK: %w", err)
	}
	return node.WritePendingAdmin(dataDir, p)
}

// readNewPassword reads a new password: from a terminal without echo,
// asked twice; otherwise one line of in (a script's pipe).
func readNewPassword(in io.Reader, prompt io.Writer) (string, error) {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return readLine(in)
	}
	fmt.Fprint(prompt, "kata sandi ADB SIAK (minimal 10 karakter): ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("baca kata sandi: %w", err)
	}
	fmt.Fprint(prompt, "ulangi kata sandi: ")
	again, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("baca kata sandi: %w", err)
	}
	if string(first) != string(again) {
		return "", errors.New("kedua kata sandi tidak sama; ulangi")
	}
	return string(first), nil
}

// readPassword reads a password once: from a terminal without echo,
// otherwise one line of in.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return readLine(in)
	}
	fmt.Fprint(prompt, "kata sandi: ")
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("baca kata sandi: %w", err)
	}
	return string(pw), nil
}

// readLine reads one line, without its line ending; a last line without
// one counts.
func readLine(in io.Reader) (string, error) {
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("baca kata sandi dari stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
