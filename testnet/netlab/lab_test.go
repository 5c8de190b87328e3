package netlab

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// newLab brings up a lab of offices with the given links, torn down when
// the test ends.
func newLab(t *testing.T, links map[string]Link) *Lab {
	t.Helper()
	requireLab(t)
	names := make([]string, 0, len(links))
	for n := range links {
		names = append(names, n)
	}
	slices.Sort(names)
	spec := Spec{Prefix: testPrefix(), Seed: 1}
	for _, n := range names {
		spec.Offices = append(spec.Offices, OfficeSpec{Name: n, Link: links[n]})
	}
	var errLog syncBuffer
	logger := slog.New(slog.NewTextHandler(&errLog, &slog.HandlerOptions{Level: slog.LevelError}))
	lab, err := Up(context.Background(), spec, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := lab.Down(); err != nil {
			t.Errorf("down: %v", err)
		}
		if s := errLog.String(); s != "" {
			t.Errorf("the lab logged errors: %s", s)
		}
	})
	return lab
}

// syncBuffer is a bytes.Buffer for a logger that goroutines share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func addr(t *testing.T, lab *Lab, office string) netip.Addr {
	t.Helper()
	a, err := lab.Addr(office)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// udpIn opens a UDP socket on an office's address, in its namespace.
func udpIn(t *testing.T, lab *Lab, office string) *net.UDPConn {
	t.Helper()
	var c *net.UDPConn
	err := lab.InNamespace(office, func() error {
		var err error
		c, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr(t, lab, office), 0)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tcpListenIn opens a TCP listener in an office's namespace.
func tcpListenIn(t *testing.T, lab *Lab, office string) net.Listener {
	t.Helper()
	var ln net.Listener
	err := lab.InNamespace(office, func() error {
		var err error
		ln, err = net.Listen("tcp4", netip.AddrPortFrom(addr(t, lab, office), 0).String())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// tcpDialFrom connects from an office's namespace.
func tcpDialFrom(lab *Lab, office, to string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	err := lab.InNamespace(office, func() error {
		var err error
		c, err = net.DialTimeout("tcp4", to, timeout)
		return err
	})
	return c, err
}

// echoUDP answers every datagram on c until c closes.
func echoUDP(t *testing.T, c *net.UDPConn) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 2048)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			_, _ = c.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	t.Cleanup(func() { c.Close(); wg.Wait() })
}

// echoTCP serves echo on ln until it closes.
func echoTCP(t *testing.T, ln net.Listener) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
}

// udpPing sends one datagram to an echo server and waits for it back.
func udpPing(c *net.UDPConn, to netip.AddrPort, seq uint32, timeout time.Duration) (time.Duration, error) {
	msg := binary.BigEndian.AppendUint32(nil, seq)
	start := time.Now()
	if _, err := c.WriteToUDPAddrPort(msg, to); err != nil {
		return 0, err
	}
	buf := make([]byte, 64)
	c.SetReadDeadline(start.Add(timeout))
	for {
		n, _, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return 0, err
		}
		if n == 4 && binary.BigEndian.Uint32(buf) == seq {
			return time.Since(start), nil
		}
	}
}

// tcpEcho sends a line over a fresh connection and checks it comes back.
func tcpEcho(lab *Lab, from string, to net.Addr) error {
	c, err := tcpDialFrom(lab, from, to.String(), 3*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Write([]byte("apa kabar\n")); err != nil {
		return err
	}
	buf := make([]byte, 10)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != "apa kabar\n" {
		return fmt.Errorf("echo came back as %q", buf)
	}
	return nil
}

func TestLabReachability(t *testing.T) {
	lab := newLab(t, map[string]Link{"kota-agung": {}, "pugung": mustProfile(t, "fiber-dinas")})
	for _, pair := range [][2]string{{"kota-agung", "pugung"}, {"pugung", "kota-agung"}} {
		from, to := pair[0], pair[1]
		t.Run("tcp "+from+" to "+to, func(t *testing.T) {
			ln := tcpListenIn(t, lab, to)
			echoTCP(t, ln)
			if err := tcpEcho(lab, from, ln.Addr()); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("udp "+from+" to "+to, func(t *testing.T) {
			srv := udpIn(t, lab, to)
			echoUDP(t, srv)
			cli := udpIn(t, lab, from)
			if _, err := udpPing(cli, srv.LocalAddr().(*net.UDPAddr).AddrPort(), 1, 2*time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("hub answers", func(t *testing.T) {
		var ln net.Listener
		// The hub's own address is reachable from every office.
		err := inNetns(lab.HubNamespace(), func() error {
			var err error
			ln, err = net.Listen("tcp4", netip.AddrPortFrom(lab.HubAddr(), 0).String())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		echoTCP(t, ln)
		if err := tcpEcho(lab, "pugung", ln.Addr()); err != nil {
			t.Fatal(err)
		}
	})
	st := lab.Stats()["kota-agung"]
	if st.Up.SentPackets == 0 || st.Down.SentPackets == 0 || st.Up.Dropped()+st.Down.Dropped() != 0 {
		t.Errorf("kota-agung's counters %+v: want traffic both ways and no drops", st)
	}
}

func mustProfile(t *testing.T, name string) Link {
	t.Helper()
	l, err := Profile(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLabRTT(t *testing.T) {
	// A 3G office without its random loss (so no ping goes missing) talks
	// to one on a perfect link: the round trip is the 3G link's 300 ms,
	// plus a few ms sending small packets at 256 kbit/s.
	link := mustProfile(t, "3g-kecamatan")
	link.Up.Loss, link.Down.Loss = 0, 0
	lab := newLab(t, map[string]Link{"semaka": link, "dinas": {}})
	const want, tol = 300 * time.Millisecond, 60 * time.Millisecond

	srv := udpIn(t, lab, "dinas")
	echoUDP(t, srv)
	cli := udpIn(t, lab, "semaka")
	var rtts []time.Duration
	for i := range 6 {
		rtt, err := udpPing(cli, srv.LocalAddr().(*net.UDPAddr).AddrPort(), uint32(i), 2*time.Second)
		if err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
		rtts = append(rtts, rtt)
	}
	ln := tcpListenIn(t, lab, "dinas")
	echoTCP(t, ln)
	var connects []time.Duration
	for range 2 {
		start := time.Now()
		c, err := tcpDialFrom(lab, "semaka", ln.Addr().String(), 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		connects = append(connects, time.Since(start)) // SYN, SYN-ACK: one RTT
		c.Close()
	}
	mean := meanDur(rtts)
	t.Logf("configured RTT %v ± jitter 2×20ms: UDP ping RTTs %v (mean %v), TCP connect %v", want, rtts, mean, connects)
	if mean < want-tol || mean > want+tol {
		t.Errorf("mean UDP RTT %v, want %v ± %v", mean, want, tol)
	}
	for _, c := range connects {
		if c < want-tol || c > want+tol {
			t.Errorf("TCP connect took %v, want one RTT, %v ± %v", c, want, tol)
		}
	}
}

func meanDur(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

func TestLabThroughput(t *testing.T) {
	// Two pairs at once: a slow sender to a perfect receiver each, with a
	// little delay so TCP behaves as over a WAN.
	slow := func(kbit int) Link {
		return Link{Up: Conditions{RateKbit: kbit, Delay: 10 * time.Millisecond}, Down: Conditions{Delay: 10 * time.Millisecond}}
	}
	lab := newLab(t, map[string]Link{"a256": slow(256), "a1024": slow(1024), "b256": {}, "b1024": {}})
	for _, rate := range []int{256, 1024} {
		t.Run(fmt.Sprintf("%d kbit/s", rate), func(t *testing.T) {
			t.Parallel()
			from, to := fmt.Sprintf("a%d", rate), fmt.Sprintf("b%d", rate)
			goodput, wire := bulkTCP(t, lab, from, to, 3500*time.Millisecond, time.Second)
			t.Logf("configured %d kbit/s: TCP goodput %.0f kbit/s (%.0f%%), link carried %.0f kbit/s (%.0f%%)",
				rate, goodput, 100*goodput/float64(rate), wire, 100*wire/float64(rate))
			if goodput < 0.8*float64(rate) || goodput > 1.2*float64(rate) {
				t.Errorf("goodput %.0f kbit/s, want %d ± 20%%", goodput, rate)
			}
			st := lab.Stats()[from].Up
			t.Logf("%s's uplink: %d queue drops, mean queueing delay %v, max %v", from, st.DropQueue, st.QueueDelayMean(), st.QueueDelayMax)
		})
	}
}

// bulkTCP sends as fast as TCP allows from one office to another for
// total, and returns the receiver's goodput and the link's wire rate in
// kbit/s, both measured from warmup (after slow start) to the end.
func bulkTCP(t *testing.T, lab *Lab, from, to string, total, warmup time.Duration) (goodput, wire float64) {
	ln := tcpListenIn(t, lab, to)
	start := time.Now()
	end := start.Add(total)
	rx := make(chan float64, 1)
	go func() { rx <- receiveRate(ln, start.Add(warmup), end) }()
	c, err := tcpDialFrom(lab, from, ln.Addr().String(), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// Drop what is still buffered when the test ends, instead of
	// draining it at the link's rate.
	defer c.Close()
	c.(*net.TCPConn).SetLinger(0)
	c.SetWriteDeadline(end)
	wireDone := make(chan float64, 1)
	go func() {
		time.Sleep(time.Until(start.Add(warmup)))
		b0, t0 := lab.Stats()[from].Up.SentBytes, time.Now()
		time.Sleep(time.Until(end))
		wireDone <- float64(lab.Stats()[from].Up.SentBytes-b0) * 8 / time.Since(t0).Seconds() / 1000
	}()
	chunk := make([]byte, 16<<10)
	for {
		if _, err := c.Write(chunk); err != nil {
			break
		}
	}
	goodput, wire = <-rx, <-wireDone
	if goodput <= 0 {
		t.Fatal("receiver saw no traffic after the warmup")
	}
	return goodput, wire
}

// receiveRate accepts one connection and returns the kbit/s it delivered
// between from and to.
func receiveRate(ln net.Listener, from, to time.Time) float64 {
	c, err := ln.Accept()
	if err != nil {
		return 0
	}
	defer c.Close()
	c.SetReadDeadline(to)
	buf := make([]byte, 64<<10)
	var got int64
	var fromAt time.Time
	for {
		n, err := c.Read(buf)
		if fromAt.IsZero() && !time.Now().Before(from) {
			fromAt = time.Now()
		} else if !fromAt.IsZero() {
			got += int64(n)
		}
		if err != nil {
			break
		}
	}
	if fromAt.IsZero() {
		return 0
	}
	return float64(got) * 8 / time.Since(fromAt).Seconds() / 1000
}

func TestLabLoss(t *testing.T) {
	const n, loss = 2000, 5.0
	lab := newLab(t, map[string]Link{"lossy": {Up: Conditions{Loss: loss}}, "clean": {}})
	rx := udpIn(t, lab, "clean")
	tx := udpIn(t, lab, "lossy")
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	got := make(chan int, 1)
	go func() {
		buf := make([]byte, 2048)
		count := 0
		for {
			rx.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			if _, _, err := rx.ReadFromUDPAddrPort(buf); err != nil {
				got <- count
				return
			}
			count++
		}
	}()
	payload := make([]byte, 200)
	for i := range n {
		binary.BigEndian.PutUint32(payload, uint32(i))
		if _, err := tx.WriteToUDPAddrPort(payload, to); err != nil {
			t.Fatal(err)
		}
		if i%20 == 19 {
			// Paced, so only the emulator drops: not the TUN queue or a
			// socket buffer.
			time.Sleep(time.Millisecond)
		}
	}
	received := <-got
	measured := 100 * float64(n-received) / n
	st := lab.Stats()["lossy"].Up
	t.Logf("configured %.1f%% loss: %d of %d UDP packets arrived, %.2f%% lost (emulator counted %d lost)", loss, received, n, measured, st.DropLoss)
	if measured < loss-1.5 || measured > loss+1.5 {
		t.Errorf("measured loss %.2f%%, want %.1f%% ± 1.5", measured, loss)
	}
	if uint64(n-received) != st.DropLoss || st.InPackets != n {
		t.Errorf("emulator saw %d packets and lost %d; the receiver missed %d", st.InPackets, st.DropLoss, n-received)
	}
}

// udpCount sends n datagrams from a to b and counts what arrives within
// wait.
func udpCount(t *testing.T, a, b *net.UDPConn, n int, wait time.Duration) int {
	t.Helper()
	to := b.LocalAddr().(*net.UDPAddr).AddrPort()
	for i := range n {
		if _, err := a.WriteToUDPAddrPort([]byte{byte(i)}, to); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 64)
	count := 0
	b.SetReadDeadline(time.Now().Add(wait))
	for count < n {
		if _, _, err := b.ReadFromUDPAddrPort(buf); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
		count++
	}
	return count
}

func TestLabCuts(t *testing.T) {
	lab := newLab(t, map[string]Link{"a": {}, "b": {}, "c": {}})
	a, b, c := udpIn(t, lab, "a"), udpIn(t, lab, "b"), udpIn(t, lab, "c")
	const n, wait = 10, 300 * time.Millisecond
	expect := func(what string, from, to *net.UDPConn, want int) {
		t.Helper()
		if got := udpCount(t, from, to, n, wait); got != want {
			t.Errorf("%s: %d of %d arrived, want %d", what, got, n, want)
		}
	}
	if err := lab.Cut("a", DirUp); err != nil {
		t.Fatal(err)
	}
	expect("a→b with a's uplink cut", a, b, 0)
	expect("b→a with a's uplink cut", b, a, n)
	if err := lab.Heal("a", DirUp); err != nil {
		t.Fatal(err)
	}
	expect("a→b healed", a, b, n)

	if err := lab.Cut("a", DirDown); err != nil {
		t.Fatal(err)
	}
	expect("b→a with a's downlink cut", b, a, 0)
	expect("a→b with a's downlink cut", a, b, n)
	if err := lab.Heal("a", DirBoth); err != nil {
		t.Fatal(err)
	}
	expect("b→a healed", b, a, n)

	if err := lab.Partition("a", "b", true); err != nil {
		t.Fatal(err)
	}
	expect("a→b partitioned", a, b, 0)
	expect("b→a partitioned", b, a, 0)
	expect("a→c beside the partition", a, c, n)
	if err := lab.Partition("a", "b", false); err != nil {
		t.Fatal(err)
	}
	expect("a→b rejoined", a, b, n)
	if st := lab.Stats()["a"]; st.Up.DropCut != 2*n || st.Down.DropCut != n {
		t.Errorf("a's cut drops %d up, %d down; want %d and %d", st.Up.DropCut, st.Down.DropCut, 2*n, n)
	}
}

func TestLabDownLeavesNothing(t *testing.T) {
	requireLab(t)
	before := interfaceNames(t)
	spec := Spec{Prefix: testPrefix(), Offices: []OfficeSpec{{Name: "x"}, {Name: "y"}}}
	lab, err := Up(context.Background(), spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Up(context.Background(), spec, Options{}); err == nil || !strings.Contains(err.Error(), "left from an earlier lab") {
		t.Errorf("second Up over a live lab: %v, want a refusal naming the leftovers", err)
	}
	p, err := lab.Start(ProcSpec{Name: "sleeper", Office: "x", Args: []string{"sleep", "60"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := lab.Down(); err != nil {
		t.Fatal(err)
	}
	if left, err := listNetns(context.Background(), spec.Prefix); err != nil || len(left) > 0 {
		t.Errorf("namespaces left: %v (%v)", left, err)
	}
	if alive(p.PID) {
		t.Errorf("process %d survived Down", p.PID)
	}
	if after := interfaceNames(t); !slices.Equal(before, after) {
		t.Errorf("interfaces changed from %v to %v", before, after)
	}
}

func interfaceNames(t *testing.T) []string {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	slices.Sort(names)
	return names
}

// alive reports a process that exists and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
