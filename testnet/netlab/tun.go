package netlab

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// openTUN creates a TUN device named ifname in the calling thread's network
// namespace (the kernel binds it to the namespace of whoever opens
// /dev/net/tun) and returns its packet file. Each Read returns one IP
// packet and each Write injects one: IFF_NO_PI means no extra header.
//
// The device lives as long as the file: closing it (or the controller
// dying) removes the interface, which is what makes crash cleanup simple.
func openTUN(ifname string) (*os.File, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("netlab: open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(ifname)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netlab: tun %s: %w", ifname, err)
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netlab: create tun %s: %w", ifname, err)
	}
	// Non-blocking, so os.File uses the runtime poller and Close wakes a
	// blocked Read: that is how the link goroutines stop.
	return os.NewFile(uintptr(fd), "tun:"+ifname), nil
}
