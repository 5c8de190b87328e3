package node

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/sinkron-id/sinkron/node/fault"
)

// ErrDiskFull is returned for a write refused because the office's disk
// is (nearly) full; what the node already holds stays intact.
var ErrDiskFull = fault.New(fault.Exhausted, "penyimpanan komputer kantor penuh")

// DiskReserve is the free space below which the node refuses new writes.
// It cannot wait for ENOSPC: badger writes its memtable through a
// memory-mapped file, and a page the full disk cannot back kills the
// process with SIGBUS instead of failing the write. One memtable's worth
// is more than any write in flight can take.
const DiskReserve = 64 << 20

// CheckDisk returns ErrDiskFull, with what is left, when the data
// directory's filesystem has less than DiskReserve free.
func (n *Node) CheckDisk() error {
	var fs unix.Statfs_t
	if err := unix.Statfs(n.cfg.DataDir, &fs); err != nil {
		return fmt.Errorf("periksa ruang disk %s: %w", n.cfg.DataDir, err)
	}
	free := fs.Bavail * uint64(fs.Bsize)
	if free < DiskReserve {
		return fmt.Errorf("%w: sisa %d MB, perlu paling sedikit %d MB; data yang sudah tersimpan aman, "+
			"minta ADB SIAK mengosongkan disk lalu ulangi", ErrDiskFull, free>>20, DiskReserve>>20)
	}
	return nil
}
