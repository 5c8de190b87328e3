package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// loginClient signs an officer in and prints the line that makes later
// commands use the token:
//
//	eval $(sinkron login --user rina)          # password read from stdin
func loginClient(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	addr := addrFlag(fs)
	user := fs.String("user", "", "nama pengguna")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	fmt.Fprint(os.Stderr, "kata sandi: ")
	pw, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && pw == "" {
		return fmt.Errorf("read password: %w", err)
	}
	cl := dial(*addr)
	r, err := sinkronv1connect.NewAccountServiceClient(cl.hc, cl.base).Login(ctx,
		connect.NewRequest(&v1.LoginRequest{Username: *user, Password: strings.TrimRight(pw, "\r\n")}))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "export SINKRON_TOKEN=%s\n", r.Msg.Token)
	fmt.Fprintf(os.Stderr, "masuk sebagai %s (%s), berlaku sampai %s\n", r.Msg.Account.FullName,
		strings.Join(r.Msg.Account.Roles, ", "), r.Msg.Expires.AsTime().Local().Format("15:04"))
	return nil
}
