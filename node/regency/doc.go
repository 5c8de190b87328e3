// Package regency starts a whole regency's offices in one process on
// loopback: a dinas Raft group of one or more servers and up to eight
// kecamatan offices of Kabupaten Tanggamus, provisioned with one signed
// genesis roster, each a full node (real libp2p, real badger), introduced
// to each other once the kernel has chosen their ports.
//
// It is what `sinkron demo` runs and what the multi-node tests build on
// (testnet adds cuts, restarts and an in-memory network). A real regency
// runs the same provisioning step by step instead: `sinkron init` at
// each office and `sinkron genesis` at the dinas.
package regency
