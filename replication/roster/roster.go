// Package roster says which libp2p peers are offices of the regency: dinas
// nodes, kecamatan service points and mobile units, with their region
// codes. It starts from a genesis file signed by the dinas cluster key and
// then changes only by dinas roster decisions (Add, Retire), which the node
// applies in decision order. The Gate admits connections from roster peers
// only, and the store refuses events from any origin but a member or the
// cluster's logical origin (Admits).
package roster

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Role of an office node: the kind of office it is, which is also where
// the service catalog (node/catalog) starts services and places steps.
type Role string

// The kinds of office of a regency.
const (
	Dinas     Role = "dinas"     // the regency's Dinas Dukcapil
	Kecamatan Role = "kecamatan" // a kecamatan service point (Tempat Pelayanan KTP-el)
	Mobile    Role = "mobile"    // a mobile recording unit (perangkat mobile)
)

// Title is the officer-facing name of the kind of office; "" for a role
// that is none.
func (r Role) Title() string {
	switch r {
	case Kecamatan:
		return "Kecamatan"
	case Dinas:
		return "Dinas Dukcapil"
	case Mobile:
		return "Unit Perekaman Mobile"
	}
	return ""
}

// Member is one office node.
type Member struct {
	Peer   peer.ID `json:"peer"`
	Office string  `json:"office"`
	Role   Role    `json:"role"`
	// Region is the kecamatan's 6-digit code (province, regency, kecamatan).
	Region string `json:"region,omitempty"`
	// Addrs are multiaddrs where the node listens, for those others dial.
	Addrs []string `json:"addrs,omitempty"`
}

// Genesis is the signed founding roster.
type Genesis struct {
	Regency string   `json:"regency"`
	Cluster peer.ID  `json:"cluster"` // the dinas cluster key, as a peer ID
	Members []Member `json:"members"`
	// Signature by the cluster key over the JSON of the fields above.
	Signature string `json:"signature,omitempty"`
}

func (g *Genesis) signedBytes() ([]byte, error) {
	c := *g
	c.Signature = ""
	b, err := json.Marshal(c)
	return append([]byte("sinkron/genesis/v1\x00"), b...), err
}

// Sign signs g with the cluster key and sets g.Cluster.
func (g *Genesis) Sign(cluster crypto.PrivKey) error {
	id, err := peer.IDFromPrivateKey(cluster)
	if err != nil {
		return fmt.Errorf("sign genesis: %w", err)
	}
	g.Cluster = id
	b, err := g.signedBytes()
	if err != nil {
		return fmt.Errorf("sign genesis: %w", err)
	}
	sig, err := cluster.Sign(b)
	if err != nil {
		return fmt.Errorf("sign genesis: %w", err)
	}
	g.Signature = base64.StdEncoding.EncodeToString(sig)
	return nil
}

// Verify checks the signature against g.Cluster, and that it is the key
// expected (when one is pinned).
func (g *Genesis) Verify(pinned peer.ID) error {
	if pinned != "" && pinned != g.Cluster {
		return fmt.Errorf("genesis signed by %s, want %s", g.Cluster, pinned)
	}
	pub, err := g.Cluster.ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("genesis cluster key: %w", err)
	}
	raw, err := pub.Raw()
	if err != nil || pub.Type() != crypto.Ed25519 {
		return errors.New("genesis cluster key must be ed25519")
	}
	sig, err := base64.StdEncoding.DecodeString(g.Signature)
	if err != nil {
		return fmt.Errorf("genesis signature: %w", err)
	}
	b, err := g.signedBytes()
	if err != nil {
		return err
	}
	if !ed25519.Verify(raw, b, sig) {
		return errors.New("genesis signature does not verify")
	}
	return nil
}

// Write saves g as indented JSON.
func (g *Genesis) Write(path string) error {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Load reads and verifies a genesis file. pinned, if set, is the cluster
// key the node's config trusts.
func Load(path string, pinned peer.ID) (*Roster, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load roster: %w", err)
	}
	var g Genesis
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("load roster %s: %w", path, err)
	}
	if err := g.Verify(pinned); err != nil {
		return nil, fmt.Errorf("load roster %s: %w", path, err)
	}
	return New(&g)
}

// Roster is the verified set of office nodes: the genesis, then the dinas
// decisions that changed it. It is safe for concurrent use.
type Roster struct {
	genesis *Genesis
	mu      sync.RWMutex
	byPeer  map[peer.ID]Member
	order   []peer.ID
}

// New indexes a verified genesis.
func New(g *Genesis) (*Roster, error) {
	r := &Roster{genesis: g, byPeer: map[peer.ID]Member{}}
	for _, m := range g.Members {
		if _, dup := r.byPeer[m.Peer]; dup {
			return nil, fmt.Errorf("roster lists %s twice", m.Peer)
		}
		r.Add(m)
	}
	return r, nil
}

// Add admits a new office node, or updates one (a dinas decision).
func (r *Roster) Add(m Member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byPeer[m.Peer]; !ok {
		r.order = append(r.order, m.Peer)
	}
	r.byPeer[m.Peer] = m
}

// Retire removes a node (a dinas decision); its past events stay valid.
func (r *Roster) Retire(id peer.ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byPeer, id)
	r.order = slices.DeleteFunc(r.order, func(p peer.ID) bool { return p == id })
}

// InGenesis reports whether id was a founding member.
func (r *Roster) InGenesis(id peer.ID) bool {
	return slices.ContainsFunc(r.genesis.Members, func(m Member) bool { return m.Peer == id })
}

// Admits reports whether id may connect and originate events: an office
// node, or the dinas cluster's logical origin.
func (r *Roster) Admits(id peer.ID) bool {
	_, ok := r.Member(id)
	return ok || id == r.genesis.Cluster
}

// Member returns the office for a peer.
func (r *Roster) Member(id peer.ID) (Member, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.byPeer[id]
	return m, ok
}

// Members lists the offices: genesis order, then as they were added.
func (r *Roster) Members() []Member {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Member, 0, len(r.order))
	for _, p := range r.order {
		out = append(out, r.byPeer[p])
	}
	return out
}

// Cluster is the dinas cluster's logical origin.
func (r *Roster) Cluster() peer.ID { return r.genesis.Cluster }

// Regency is the regency's name.
func (r *Roster) Regency() string { return r.genesis.Regency }

// Office names the office of a peer, or the peer ID when unknown.
func (r *Roster) Office(id peer.ID) string {
	if m, ok := r.Member(id); ok {
		return m.Office
	}
	if id == r.genesis.Cluster {
		return "Dinas (keputusan)"
	}
	return id.String()
}
