// Package netlab is the network layer of the office lab: each office node
// runs as its own process in its own Linux network namespace, and every
// office reaches the others through a hub namespace over an emulated uplink
// with field conditions (rate, delay, jitter, loss, reordering, cuts), set
// per direction and changeable while the lab runs.
//
// The links are a userspace L3 emulator in the spirit of mahimahi's link
// shells: the kernel here has no netem, so each uplink is a pair of TUN
// devices (one in the office namespace, one in the hub) joined by two
// goroutines that read IP packets, shape them and write them out the other
// side. That carries TCP and UDP (QUIC) alike without address rewriting,
// gives one-way cuts, and draws every random choice from a seed so a run's
// drops can be reproduced.
//
// Up builds a lab and Down removes it; Cleanup removes what a crashed
// controller left, from the name prefix alone. Serve runs a lab as a
// long-lived controller with a JSON control API on a unix socket, so a CLI
// call can return while the lab keeps running; Client drives it.
//
// Building a lab needs root, /dev/net/tun and iproute2's ip command. The
// tests that build labs skip without them, except when CI=true, where they
// fail so that CI never passes without having run them.
package netlab
