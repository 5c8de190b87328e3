package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/zone"
)

// loginClient signs an officer in and prints the line that makes later
// commands use the token:
//
//	eval $(sinkron login --user rina --addr K)  # password asked, or one line of stdin
//	RINA=$(sinkron login --user rina --token-only)
//
// A token is valid only at the node that issued it.
func loginClient(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	cn := clientFlags(fs)
	user := fs.String("user", "", "nama pengguna")
	only := fs.Bool("token-only", false, "cetak tokennya saja (untuk variabel shell)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	pw, err := readPassword(in, os.Stderr)
	if err != nil {
		return err
	}
	cl := dialAs(*cn.addr, "") // signing in needs no token, and an old one may be of another node
	r, err := sinkronv1connect.NewAccountServiceClient(cl.hc, cl.base).Login(ctx,
		connect.NewRequest(&v1.LoginRequest{Username: *user, Password: pw}))
	if err != nil {
		return err
	}
	if *only {
		fmt.Fprintln(out, r.Msg.Token)
	} else {
		// The address too: the token is valid only at this node, so the
		// next command must go there, not to the default address.
		fmt.Fprintf(out, "export SINKRON_ADDR=%s SINKRON_TOKEN=%s\n", shellQuote(cl.base), shellQuote(r.Msg.Token))
	}
	// The expiry in the office's zone, asked with the new token.
	loc := officeZone(ctx, dialAs(cl.base, r.Msg.Token).node)
	fmt.Fprintf(os.Stderr, "masuk sebagai %s (%s) di %s, berlaku sampai %s\n", r.Msg.Account.FullName,
		strings.Join(r.Msg.Account.Roles, ", "), cl.base, zone.Clock(r.Msg.Expires.AsTime(), loc))
	return nil
}

// shellQuote quotes s for a POSIX shell's eval when it holds anything but
// characters that are safe bare (an address, a token).
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
