// Package node wires one Sinkron office node from its config: identity and
// data directory, the roster (genesis, then roster decisions), the badger
// store with each entity kind's folder, officer accounts, the WhatsApp
// outbox, the libp2p network (roster gate, anti-entropy sync and its relay
// between dinas servers, document transfer, mDNS) and, on a dinas server
// with the cluster key, the Raft group with the decision machine, its
// publisher and the watcher that proposes offices' decision requests. On
// top it runs the request engine over the service catalog (node/request,
// node/catalog), the resident registry (node/registry) and the audit.
//
// One dispatch goroutine follows every committed batch of the store: local
// writes are pushed to peers, remote ones relayed, request watchers woken,
// steps waiting for dinas decisions settled (and their registry effects
// applied, effects.go), wanted documents fetched, decision requests handed
// to the dinas watcher and roster decisions applied.
//
// The api package serves a node over Connect; Provision and ProvisionJoin
// set up offices' data directories and configs. DESIGN.md at the
// repository root describes the whole.
package node
