package node

import (
	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
)

// storeObserver is where the node's pipeline starts (store.Observer): the
// store tells it every batch it writes, local or from a peer. An event
// goes from the API to a peer this way:
//
//  1. a Connect handler (api) calls a service (node/request, registry,
//     account, decision), which appends the event to the store;
//  2. InTxn, inside that batch's transaction: the disk check, the
//     decision book (decision.File), relayed WhatsApp notices into the
//     sender's outbox (queueNotices), the documents the node wants
//     (blob.Want), all committed with the events or not at all;
//  3. Committed queues the batch for dispatch, off the write path;
//  4. dispatch (node.go): a local batch nudges the sync service, which
//     pushes to the peers the topology picks (topology.go: a kecamatan's
//     dinas home); a batch from a peer is relayed to the dinas siblings;
//     requests' watchers and waiting steps, the dinas publisher and the
//     roster are told, and wanted documents fetched;
//  5. an exchange (replication/antientropy) carries the events; the peer's
//     store runs step 2 for them, and after the exchange the network
//     (network.Synced) fetches their documents.
type storeObserver struct{ n *Node }

// InTxn files what a batch brings inside its transaction.
func (o storeObserver) InTxn(txn *badger.Txn, applied []*event.Event) error {
	n := o.n
	// Before badger writes: on a full disk its memory-mapped memtable
	// kills the process instead of failing (DiskReserve). A refused sync
	// batch comes again once there is room.
	if err := n.CheckDisk(); err != nil {
		return err
	}
	if err := decision.File(txn, applied); err != nil {
		return err
	}
	// At the dinas server holding the WhatsApp number: the notices other
	// offices handed to the log, queued with their events.
	if err := n.queueNotices(txn, applied); err != nil {
		return err
	}
	for _, e := range applied {
		if !n.wantsDocuments(e) {
			continue
		}
		for _, h := range e.Blobs {
			if err := blob.Want(txn, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// Committed hands the batch to dispatch; the store holds its write lock,
// so it only queues.
func (o storeObserver) Committed(res store.Result) { o.n.commits.push(res) }
