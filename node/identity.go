package node

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// IdentityFile is the node's ed25519 key inside its data directory.
const IdentityFile = "identity.key"

// LoadOrCreateIdentity reads dir/identity.key, creating it when the data
// directory is new. An identity lives with its store: a node whose store is
// gone must not reuse its old key, or one (origin, seq) could name two events.
func LoadOrCreateIdentity(dir string) (crypto.PrivKey, error) {
	path := filepath.Join(dir, IdentityFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if _, serr := os.Stat(filepath.Join(dir, "store")); serr != nil {
			return nil, fmt.Errorf("identity %s exists without its store: start this node with a fresh data directory", path)
		}
		return crypto.UnmarshalPrivateKey(b)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read identity: %w", err)
	}
	return CreateIdentity(dir)
}

// CreateIdentity makes a new key in dir (which must not have one).
func CreateIdentity(dir string) (crypto.PrivKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	b, err := crypto.MarshalPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, IdentityFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create identity: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, err
	}
	return priv, errors.Join(f.Sync(), f.Close(), os.MkdirAll(filepath.Join(dir, "store"), 0o700))
}

// ReadKeyFile reads a 32-byte encryption key, creating one if absent.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b = make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		return b, os.WriteFile(path, b, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("read encryption key: %w", err)
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("encryption key %s: want 32 bytes, have %d", path, len(b))
	}
	return b, nil
}
