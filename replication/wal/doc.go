// Package wal is the dinas Raft group's write-ahead log: raft's log and
// stable store in plain segment files (Log), each StoreLogs batch one
// write and one fdatasync, sealed with AES-GCM per record under the node's
// at-rest key. A leader's flush is deferred to a syncer and its durable
// mark (Durable, WaitDurable) says what its disk holds, which consensus
// uses so the leader's and the followers' writes overlap.
//
// The badger LogStore of releases before it stays here only to be read
// once: Migrate moves such a store into a new Log, built aside and renamed
// into place whole.
package wal
