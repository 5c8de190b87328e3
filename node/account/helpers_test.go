package account

import (
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// cheap keeps tests fast under -race; BenchmarkHash measures the real cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

// Passwords used throughout.
const (
	adminPass = "rahasia-adb-2026"
	budiPass  = "kopi-tubruk-99"
)

// clock is a counter clock that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// office is one node's store and account service, as two offices apart.
type office struct {
	name  string
	st    *store.Store
	svc   *Service
	clock *clock
}

func newSigner(t *testing.T) *event.Signer {
	t.Helper()
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatalf("key: %v", err)
	}
	s, err := event.NewSigner(priv)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	return s
}

// testOffice opens an in-memory store with the account folder and no
// roster (every origin admitted), and a service with its own token key.
func testOffice(t *testing.T, name string) *office {
	t.Helper()
	wall := time.Unix(1_772_000_000, 0)
	hclock := hlc.NewClock(func() time.Time { wall = wall.Add(time.Millisecond); return wall }, time.Minute)
	st, err := store.Open(store.Options{
		InMemory: true, Signer: newSigner(t), Clock: hclock, MemTableSize: 1 << 20,
		Folders: map[string]store.Folder{Kind: Folder{}},
	})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	key := make([]byte, 32)
	rand.Read(key)
	svc := New(st, name, c.now, rand.Reader, key)
	svc.params = cheap
	return &office{name: name, st: st, svc: svc, clock: c}
}

// withAdmin is an office whose first account, "admin", is an ADB SIAK.
func withAdmin(t *testing.T, name string) *office {
	t.Helper()
	o := testOffice(t, name)
	if err := o.svc.Bootstrap("admin", "Siti Administrator", adminPass); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	return o
}

// withBudi adds budi, an operator kecamatan.
func withBudi(t *testing.T, name string) *office {
	t.Helper()
	o := withAdmin(t, name)
	if err := o.svc.Create("budi", "Budi Santoso", []catalog.Role{catalog.OperatorKecamatan}, budiPass, "admin"); err != nil {
		t.Fatalf("create budi: %v", err)
	}
	return o
}

// apart gives two offices the same accounts, then cuts them off.
func apart(t *testing.T) (a, b *office) {
	a = withBudi(t, "Dinas Dukcapil Kota Sibolga")
	b = testOffice(t, "Kecamatan Sibolga Selatan")
	syncInto(t, b, a)
	return a, b
}

func rejoin(t *testing.T, a, b *office) {
	t.Helper()
	syncInto(t, a, b)
	syncInto(t, b, a)
}

// syncInto copies what dst lacks from src, as a peer would.
func syncInto(t *testing.T, dst, src *office) {
	t.Helper()
	evs := allEvents(t, src, dst.st.Vector())
	res, err := dst.st.Verify(evs)
	if err != nil || res.Deferred > 0 || len(res.Rejected) > 0 {
		t.Fatalf("sync %s ← %s: %+v %v", dst.name, src.name, res, err)
	}
}

func allEvents(t *testing.T, src *office, since vv.Vector) []*event.Event {
	t.Helper()
	var evs []*event.Event
	err := src.st.Scan(since, func(raw []byte) error {
		e, err := event.Unmarshal(raw)
		evs = append(evs, e)
		return err
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return evs
}

func login(t *testing.T, o *office, user, pw string) (string, Session) {
	t.Helper()
	tok, s, err := o.svc.Login(user, pw)
	if err != nil {
		t.Fatalf("login %s at %s: %v", user, o.name, err)
	}
	return tok, s
}

func get(t *testing.T, o *office, user string) *Account {
	t.Helper()
	a, err := o.svc.Get(user)
	if err != nil {
		t.Fatalf("get %s: %v", user, err)
	}
	return a
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
