package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `sinkron-lab — the lab and the load generator (not the product: see sinkron)

  sinkron-lab bench     [--requests 1000] [--clients 8] [--rate 500] [--alone]   (whole-system figures, in one process)
  sinkron-lab testnet   up|down|status|cut|heal|degrade|pause|resume|kill|start|run …   (a regency in network namespaces; root)

The lab runs the sinkron binary beside this one (or --sinkron PATH):
  go build -o sinkron ./cmd/sinkron && go build -o sinkron-lab ./cmd/sinkron-lab
  sudo ./sinkron-lab testnet up
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sinkron-lab:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "bench":
		return bench(ctx, rest, out)
	case "testnet":
		return testnetCmd(ctx, rest, out)
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (see `sinkron-lab help`)", cmd)
}
