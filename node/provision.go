package node

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/roster"
)

// OfficeSpec describes one office node to provision.
type OfficeSpec struct {
	Name   string
	Role   roster.Role
	Region string
	// Listen addresses; the first ones are written to the roster so that
	// other offices can dial this one.
	Listen    []string
	APIListen string
}

// Provision creates, under dir, a regency: the dinas cluster key, one data
// directory with identity per office, the signed genesis roster and one
// config file per office (dir/<n>/sinkron.toml). It is what `sinkron demo`
// and the test network use; a real regency runs the same steps with
// `sinkron init` at each office and `sinkron genesis` at the dinas.
func Provision(dir, regency string, offices []OfficeSpec) ([]Config, error) {
	cluster, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := writeKey(filepath.Join(dir, "cluster.key"), cluster); err != nil {
		return nil, err
	}
	g := &roster.Genesis{Regency: regency}
	var cfgs []Config
	for i, o := range offices {
		nodeDir := filepath.Join(dir, fmt.Sprintf("%d", i))
		priv, err := CreateIdentity(nodeDir)
		if err != nil {
			return nil, err
		}
		id, _ := peer.IDFromPrivateKey(priv)
		var addrs []string
		for _, l := range o.Listen {
			addrs = append(addrs, l)
		}
		g.Members = append(g.Members, roster.Member{Peer: id, Office: o.Name, Role: o.Role, Region: o.Region, Addrs: addrs})
		c := Config{
			DataDir: nodeDir, Office: o.Name, Listen: o.Listen, APIListen: o.APIListen,
			Genesis: filepath.Join(dir, "genesis.json"), EncryptionKeyFile: filepath.Join(nodeDir, "store.key"),
		}
		if o.Role == roster.Dinas {
			c.ClusterKeyFile = filepath.Join(dir, "cluster.key")
		}
		cfgs = append(cfgs, c)
	}
	if err := g.Sign(cluster); err != nil {
		return nil, err
	}
	if err := g.Write(filepath.Join(dir, "genesis.json")); err != nil {
		return nil, err
	}
	for i := range cfgs {
		cfgs[i].ClusterKey = g.Cluster.String()
		if err := WriteConfig(filepath.Join(cfgs[i].DataDir, "sinkron.toml"), cfgs[i]); err != nil {
			return nil, err
		}
	}
	return cfgs, nil
}

func writeKey(path string, k crypto.PrivKey) error {
	b, err := crypto.MarshalPrivateKey(k)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// ProvisionJoin prepares one more office node for a regency provisioned
// under dir, not in its genesis: the dinas adds it with a roster decision
// (and, for a dinas node, makes it a Raft voter). It returns the config.
func ProvisionJoin(dir, name string, o OfficeSpec) (Config, peer.ID, error) {
	nodeDir := filepath.Join(dir, name)
	priv, err := CreateIdentity(nodeDir)
	if err != nil {
		return Config{}, "", err
	}
	id, _ := peer.IDFromPrivateKey(priv)
	c := Config{
		DataDir: nodeDir, Office: o.Name, Role: string(o.Role), Region: o.Region, Listen: o.Listen, APIListen: o.APIListen,
		Genesis: filepath.Join(dir, "genesis.json"), EncryptionKeyFile: filepath.Join(nodeDir, "store.key"),
	}
	if o.Role == roster.Dinas {
		c.ClusterKeyFile = filepath.Join(dir, "cluster.key")
	}
	return c, id, WriteConfig(filepath.Join(nodeDir, "sinkron.toml"), c)
}
