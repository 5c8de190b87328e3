package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sinkron-id/sinkron/node/account"
)

// PendingAdminFile, in a node's data directory, holds an ADB SIAK account
// the node creates at its next start (see account.PendingAdmin): the
// consoles that write it cannot open the store of a stopped or not yet
// admitted node.
const PendingAdminFile = "admin.json"

// WritePendingAdmin saves p in dataDir, readable by the node's user only,
// replacing an earlier pending account.
func WritePendingAdmin(dataDir string, p account.PendingAdmin) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dataDir, ".admin-*.json") // mode 0600
	if err != nil {
		return fmt.Errorf("pending admin: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dataDir, PendingAdminFile))
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("pending admin: %w", err)
	}
	return nil
}

// createPendingAdmin creates the pending ADB SIAK account, if any, and
// removes its file. A node that has a usable ADB SIAK already does not
// need it: the file goes with a warning. Any other failure stops the
// start, since an operator asked for this account and would otherwise find
// no way to sign in.
func (n *Node) createPendingAdmin() error {
	path := filepath.Join(n.cfg.DataDir, PendingAdminFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("pending admin: %w", err)
	}
	var p account.PendingAdmin
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("pending admin %s: %w", path, err)
	}
	switch err := n.Accounts.BootstrapHash(p); {
	case errors.Is(err, account.ErrHasAdmin):
		n.log.Warn("pending ADB SIAK account not created: this node has an active one", "user", p.Username, "file", path)
	case err != nil:
		return fmt.Errorf("pending admin %s (fix it with `sinkron akun admin`, or remove it): %w", path, err)
	default:
		n.log.Info("ADB SIAK account created from the pending file", "user", p.Username)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("pending admin: %w", err)
	}
	return nil
}
