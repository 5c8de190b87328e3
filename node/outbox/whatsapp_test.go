package outbox

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// A notice becomes one Cloud API text message to the international number,
// carrying its ID, and leaves the queue.
func TestWhatsAppDeliversNotice(t *testing.T) {
	g, srv := newGateway(t)
	o, db, _ := manual(t, newSender(t, srv))
	enqueue(t, o, db, notice("p/1"))
	if next := o.deliver(context.Background()); !next.IsZero() {
		t.Fatalf("next %v after delivering everything", next)
	}
	req, acc := g.counts()
	if req["p/1"] != 1 || acc["p/1"] != 1 || len(req) != 1 {
		t.Fatalf("requests %v accepted %v", req, acc)
	}
	if g.to[0] != "6281234567890" || g.bodies[0] != "Permohonan p/1 Anda telah selesai." {
		t.Fatalf("to %q body %q", g.to[0], g.bodies[0])
	}
	if o.Depth() != 0 || len(pendingByID(t, o)) != 0 || len(deadIDs(t, o)) != 0 {
		t.Fatalf("depth %d pending %v dead %v", o.Depth(), pendingByID(t, o), deadIDs(t, o))
	}
}

// Two 503s, each counted and backed off, then one delivered message.
func TestGatewayFailsTwiceThenDelivers(t *testing.T) {
	g, srv := newGateway(t, 503, 503)
	o, db, c := manual(t, newSender(t, srv), WithRetry(0, time.Minute, time.Hour))
	enqueue(t, o, db, notice("p/1"))
	ctx := context.Background()
	for i, wait := range []time.Duration{30 * time.Second, time.Minute} { // zero jitter: half the step
		next := o.deliver(ctx)
		n := pendingByID(t, o)["p/1"]
		if n.Attempts != i+1 || n.Sending || !strings.Contains(n.LastError, "HTTP 503") || !next.Equal(c.now().Add(wait)) || !n.Next.Equal(next) {
			t.Fatalf("after failure %d: %+v, next %v", i+1, n, next)
		}
		if o.deliver(ctx); pendingByID(t, o)["p/1"].Attempts != i+1 {
			t.Fatal("retried before its backoff ended")
		}
		c.advance(wait)
	}
	o.deliver(ctx)
	req, acc := g.counts()
	if req["p/1"] != 3 || acc["p/1"] != 1 || o.Depth() != 0 || len(deadIDs(t, o)) != 0 {
		t.Fatalf("requests %v accepted %v depth %d", req, acc, o.Depth())
	}
}

// A 400 (bad number at Meta) is final: one request, then a dead letter
// with the gateway's reason; the other notice is not held up.
func TestBadRequestGoesToDeadLetters(t *testing.T) {
	g, srv := newGateway(t, 400)
	o, db, _ := manual(t, newSender(t, srv))
	enqueue(t, o, db, notice("p/1"), notice("p/2"))
	o.deliver(context.Background())
	req, acc := g.counts()
	if req["p/1"] != 1 || acc["p/1"] != 0 || acc["p/2"] != 1 {
		t.Fatalf("requests %v accepted %v", req, acc)
	}
	ds, _ := o.DeadLetters()
	if len(ds) != 1 || ds[0].Notice.ID != "p/1" || ds[0].Uncertain || ds[0].Notice.Attempts != 1 ||
		!strings.Contains(ds[0].Error, "kode 131026") || o.Depth() != 0 {
		t.Fatalf("dead letters %+v depth %d", ds, o.Depth())
	}
}

// An officer's Retry puts a dead letter back with fresh attempts, and it
// is delivered; retrying something not dead is refused.
func TestRetryFromDeadLetters(t *testing.T) {
	g, srv := newGateway(t, 503, 503)
	o, db, c := manual(t, newSender(t, srv), WithRetry(2, time.Minute, time.Hour))
	enqueue(t, o, db, notice("p/1"))
	o.deliver(context.Background())
	c.advance(time.Hour)
	o.deliver(context.Background())
	if ids := deadIDs(t, o); len(ids) != 1 || o.Depth() != 0 {
		t.Fatalf("after %d attempts dead %v depth %d", 2, ids, o.Depth())
	}
	if err := o.Retry("p/1"); err != nil {
		t.Fatal(err)
	}
	if n := pendingByID(t, o)["p/1"]; n.Attempts != 0 || n.Failures != 0 || n.LastError != "" || o.Depth() != 1 {
		t.Fatalf("requeued %+v depth %d", n, o.Depth())
	}
	o.deliver(context.Background())
	req, acc := g.counts()
	if req["p/1"] != 3 || acc["p/1"] != 1 || len(deadIDs(t, o)) != 0 || o.Depth() != 0 {
		t.Fatalf("requests %v accepted %v dead %v", req, acc, deadIDs(t, o))
	}
	if err := o.Retry("p/1"); !errors.Is(err, ErrNotDead) {
		t.Fatalf("retry of a delivered notice: %v", err)
	}
}

// Notices pending when the outbox stops (after failed sends) are delivered
// after it restarts on the same store, each exactly once.
func TestRestartDeliversPendingExactlyOnce(t *testing.T) {
	g, srv := newGateway(t, 503, 503, 503, 503, 503, 503)
	dir := t.TempDir()
	db := openDB(t, dir)
	fast := WithRetry(0, 2*time.Millisecond, 10*time.Millisecond)
	o := New(db, newSender(t, srv), nil, fast)
	ids := []string{"p/1", "p/2", "p/3"}
	enqueue(t, o, db, notice(ids[0]), notice(ids[1]), notice(ids[2]))
	runUntil(t, o, func() bool { req, _ := g.counts(); return len(req) == 3 })
	db.Close()

	db = openDB(t, dir)
	defer db.Close()
	o = New(db, newSender(t, srv), nil, fast)
	if o.Depth() == 0 {
		t.Fatal("nothing pending after restart")
	}
	runUntil(t, o, func() bool { return o.Depth() == 0 })
	_, acc := g.counts()
	for _, id := range ids {
		if acc[id] != 1 {
			t.Fatalf("accepted %v", acc)
		}
	}
	if len(deadIDs(t, o)) != 0 || len(pendingByID(t, o)) != 0 {
		t.Fatal("leftovers after delivery")
	}
}

// crashAfterSend delivers through its sender and then "crashes" the node
// before the outbox can write the delivered mark (its store goes away).
type crashAfterSend struct {
	Sender
	db *badger.DB
}

func (c crashAfterSend) Send(ctx context.Context, n Notice) error {
	err := c.Sender.Send(ctx, n)
	c.db.Close()
	return err
}

// A notice the gateway accepted just before a crash is not sent again
// after the restart: it is parked as an uncertain dead letter for an
// officer (who may still Retry it, knowingly risking a duplicate).
func TestCrashBetweenSendAndDeliveredMark(t *testing.T) {
	g, srv := newGateway(t)
	dir := t.TempDir()
	db := openDB(t, dir)
	o := New(db, crashAfterSend{newSender(t, srv), db}, nil)
	enqueue(t, o, db, notice("p/1"))
	o.deliver(context.Background())

	db = openDB(t, dir)
	defer db.Close()
	o = New(db, newSender(t, srv), nil)
	if n := pendingByID(t, o)["p/1"]; !n.Sending {
		t.Fatalf("after the crash the notice is %+v, want still marked sending", n)
	}
	o.deliver(context.Background())
	req, acc := g.counts()
	ds, _ := o.DeadLetters()
	if req["p/1"] != 1 || acc["p/1"] != 1 || len(ds) != 1 || !ds[0].Uncertain || o.Depth() != 0 {
		t.Fatalf("requests %v accepted %v dead %+v", req, acc, ds)
	}
}

// A gateway that cannot be reached costs no attempt (offices are often
// offline) but still backs off, and stops the pass for the others.
func TestUnreachableGatewayCountsNoAttempt(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	w, err := NewWhatsApp("http://"+addr+"/v23.0", testPhoneID, testToken, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	counting := senderFunc(func(ctx context.Context, n Notice) error { calls.Add(1); return w.Send(ctx, n) })
	o, db, c := manual(t, counting, WithRetry(1, time.Minute, time.Hour))
	enqueue(t, o, db, notice("p/1"), notice("p/2"))
	next := o.deliver(context.Background())
	n := pendingByID(t, o)["p/1"]
	if calls.Load() != 1 || n.Attempts != 0 || n.Failures != 1 || !next.Equal(c.now().Add(30*time.Second)) {
		t.Fatalf("calls %d notice %+v next %v", calls.Load(), n, next)
	}
	if len(deadIDs(t, o)) != 0 {
		t.Fatal("an unreachable gateway used up the only attempt")
	}
}

type senderFunc func(context.Context, Notice) error

func (f senderFunc) Send(ctx context.Context, n Notice) error { return f(ctx, n) }

// A throttling code Meta sends with HTTP 400 is retried, not buried.
func TestThrottlingCodeIsRetried(t *testing.T) {
	w := &WhatsApp{Log: slog.New(slog.DiscardHandler)}
	_, err := w.outcome(400, []byte(`{"error":{"message":"(#130429) Rate limit hit","code":130429}}`), Notice{})
	if err == nil || IsPermanent(err) {
		t.Fatalf("130429: %v", err)
	}
	for status, permanent := range map[int]bool{401: true, 404: true, 429: false, 500: false, 502: false} {
		if _, err := w.outcome(status, []byte("no json"), Notice{}); IsPermanent(err) != permanent {
			t.Errorf("HTTP %d: %v", status, err)
		}
	}
}

// A notice to a number that is not Indonesian mobile is refused before any
// request, and buried.
func TestInvalidNumberIsPermanent(t *testing.T) {
	g, srv := newGateway(t)
	o, db, _ := manual(t, newSender(t, srv))
	n := notice("p/1")
	n.To = "0211234567x"
	enqueue(t, o, db, n)
	o.deliver(context.Background())
	if req, _ := g.counts(); len(req) != 0 || !reflect.DeepEqual(deadIDs(t, o), []string{"p/1"}) {
		t.Fatalf("requests %v dead %v", req, deadIDs(t, o))
	}
}

func TestInternationalNumber(t *testing.T) {
	ok := map[string]string{
		"081234567890": "6281234567890", "0812-3456-7890": "6281234567890", "+62 812 3456 7890": "6281234567890",
		"6281234567890": "6281234567890", "0812345678": "62812345678", "0812345678901": "62812345678901",
	}
	for in, want := range ok {
		if got, err := InternationalNumber(in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0212345678", "081234567", "08123456789012", "0812345678a", "+1 555 123 4567", "812345678"} {
		if got, err := InternationalNumber(in); err == nil {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func TestNewWhatsAppRefusesCleartextToken(t *testing.T) {
	for _, u := range []string{"http://graph.facebook.com/v23.0", "graph.facebook.com", "ftp://x/"} {
		if _, err := NewWhatsApp(u, testPhoneID, testToken, 0, nil); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	for _, u := range []string{"https://graph.facebook.com/v23.0", "http://127.0.0.1:9/v1", "http://localhost:9"} {
		if _, err := NewWhatsApp(u, testPhoneID, testToken, 0, nil); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	if _, err := NewWhatsApp("https://x", testPhoneID, "", 0, nil); err == nil {
		t.Error("empty token accepted")
	}
}

// Backoff doubles from the minimum to the cap; jitter keeps each wait in
// [half, full) of its step.
func TestBackoff(t *testing.T) {
	o := &Outbox{minBackoff: time.Second, maxBackoff: 10 * time.Second, rand: zeros{}}
	for i, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		if got := o.backoff(i + 1); got != want {
			t.Errorf("failure %d: %v, want %v", i+1, got, want)
		}
	}
	o.rand = ones{}
	if got := o.backoff(3); got < 3900*time.Millisecond || got >= 4*time.Second {
		t.Errorf("max jitter: %v", got)
	}
}

type ones struct{}

func (ones) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	return len(p), nil
}

var _ http.Handler = (*gateway)(nil)

// Stopping the outbox lets a send already under way finish (a send cut off
// mid-request is what could duplicate a message), within the grace period.
func TestShutdownLetsInFlightSendFinish(t *testing.T) {
	for _, finish := range []bool{true, false} {
		started, release := make(chan struct{}), make(chan struct{})
		s := senderFunc(func(ctx context.Context, n Notice) error {
			close(started)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		grace := time.Minute
		if !finish {
			grace = 10 * time.Millisecond
		}
		o, db, _ := manual(t, s, WithGrace(grace))
		enqueue(t, o, db, notice("p/1"))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { o.Run(ctx); close(done) }()
		<-started
		cancel()
		if finish {
			time.Sleep(20 * time.Millisecond) // past the cancel, within the grace
			close(release)
		}
		<-done
		n, left := pendingByID(t, o)["p/1"]
		if finish == left || (left && (n.Attempts != 1 || n.Sending)) {
			t.Fatalf("finish %v: pending %v %+v", finish, left, n)
		}
	}
}
