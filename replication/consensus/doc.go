// Package consensus runs the dinas Raft group: the 3 or 5 nodes of a dinas
// cluster agree, through one hashicorp/raft log, on the decisions that must be
// unique across the regency (the things anti-entropy's merge cannot settle).
//
// It shares the libp2p host and roster gate with sync, so an office keeps one
// identity and one port: Raft's RPCs travel on "/sinkron/raft/1" streams and
// followers forward proposals, linearizable reads, membership changes and
// status probes to the leader on "/sinkron/raft-forward/1". A Raft server's
// ID and address are both its peer ID string.
//
// The log and stable store are a write-ahead log of their own in Dir/wal
// (replication/wal: segment files, each StoreLogs batch one write and one fdatasync,
// near a bare synced write where the badger LogStore before it took 1.5-2
// times that; raft-wal v0.4.0 cannot reopen a log whose tail Raft
// truncated). A badger store an older version left in Dir/log is copied
// into the WAL on Open. Snapshots are in raft's file store every 65,536
// entries. With the node's at-rest key both are encrypted: AES-GCM per
// record for the log, a chunked AES-GCM stream for snapshots
// (sealedSnapshots).
//
// The leader writes its log while the followers write theirs: its
// StoreLogs of commands returns before the flush (replication/wal), and it
// applies entries, and tells followers a commit index, only up to what its
// own disk holds (durable.go), so a decision waits for one flush, not two
// in sequence.
//
// The FSM supplies idempotency by command key, which is what lets Propose
// re-propose across leader changes.
package consensus
