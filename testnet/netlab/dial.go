package netlab

import (
	"context"
	"net"
)

// DialIn returns a dial function whose sockets are opened in the named
// namespace, so a process in the host's namespace (a CLI, a test) can
// reach a node inside the lab without joining it: dialled from an office's
// own namespace, a node's API is on the office's LAN, past no emulated
// link; from the hub's, it is across the office's uplink like any other
// office. It needs the same privileges as building a lab.
func DialIn(ns string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var conn net.Conn
		err := inNetns(ns, func() error {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			conn = c
			return err
		})
		return conn, err
	}
}
