// Package derive gives each sealed store of a node its own key, derived
// from the node's at-rest key: the Raft log (wal) and its snapshots
// (consensus) each seal under a key of their own, so their random nonces
// do not share one birthday bound.
package derive

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// AEAD is AES-256-GCM under a key derived from the node's at-rest key, a
// salt and what it is for (info).
func AEAD(key, salt []byte, info string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, key, salt, info, 32)
	if err != nil {
		return nil, fmt.Errorf("derive %s key: %w", info, err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
