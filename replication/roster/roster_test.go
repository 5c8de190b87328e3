package roster

import (
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func newID(t *testing.T) (crypto.PrivKey, peer.ID) {
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(k)
	return k, id
}

func TestGenesisSignedLoadedAndTamperRefused(t *testing.T) {
	cluster, _ := newID(t)
	_, a := newID(t)
	_, b := newID(t)
	_, outsider := newID(t)
	g := &Genesis{Regency: "Kabupaten Tanggamus", Members: []Member{
		{Peer: a, Office: "Dinas", Role: Dinas}, {Peer: b, Office: "Kecamatan Kota Agung", Role: Kecamatan, Region: "180601"},
	}}
	if err := g.Sign(cluster); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "genesis.json")
	if err := g.Write(path); err != nil {
		t.Fatal(err)
	}
	r, err := Load(path, g.Cluster)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Admits(a) || !r.Admits(b) || !r.Admits(g.Cluster) || r.Admits(outsider) {
		t.Fatal("admission wrong")
	}
	if _, other := newID(t); other != "" {
		if _, err := Load(path, other); err == nil {
			t.Fatal("loaded a genesis signed by an unpinned key")
		}
	}
	g.Members = append(g.Members, Member{Peer: outsider, Office: "Penyusup", Role: Kecamatan})
	g.Write(path)
	if _, err := Load(path, ""); err == nil {
		t.Fatal("loaded a genesis with a member added after signing")
	}
}

func TestGate(t *testing.T) {
	cluster, _ := newID(t)
	_, a := newID(t)
	_, outsider := newID(t)
	g := &Genesis{Members: []Member{{Peer: a, Office: "A", Role: Kecamatan}}}
	g.Sign(cluster)
	r, _ := New(g)
	gate := NewGate(r)
	if !gate.InterceptPeerDial(a) || gate.InterceptPeerDial(outsider) {
		t.Fatal("roster gating wrong")
	}
	gate.Block(a, true)
	if gate.Allows(a) {
		t.Fatal("cut link allowed")
	}
	gate.Block(a, false)
	gate.SetOffline(true)
	if gate.Allows(a) || gate.InterceptAccept(nil) {
		t.Fatal("offline node allowed a connection")
	}
}
