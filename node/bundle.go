package node

import (
	"io"

	"github.com/sinkron-id/sinkron/replication/bundle"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// ExportBundle writes to w a bundle of what a replica at `since` lacks (SOP
// 20: "backup ke flash disk"), with the documents its events refer to.
func (n *Node) ExportBundle(w io.Writer, since vv.Vector, documents bool) (bundle.ExportStats, error) {
	return bundle.Export(w, n.store, n.blobs, bundle.ExportOptions{Since: since, IncludeBlobs: documents, Origin: n.ID(), Now: n.now()})
}

// ImportBundle verifies a whole bundle and applies it; a truncated,
// corrupted or forged bundle changes nothing.
func (n *Node) ImportBundle(r io.Reader) (bundle.ImportStats, error) {
	return bundle.Import(r, n.store, n.blobs, bundle.ImportOptions{Admit: n.roster.Admits, SpoolDir: n.cfg.DataDir})
}
