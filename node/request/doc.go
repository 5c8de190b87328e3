// Package request is the workflow engine: one engine drives every service
// of the catalog (node/catalog) through its path's SOP steps. It validates
// the form and documents against the catalog, stores the photos, records
// every status change and processing step as a replicated event, folds
// those events into the request (permohonan) a counter sees, and queues the
// resident's WhatsApp notices in the same transaction.
//
// Statuses: Baru → Disetujui | Dibatalkan → Diproses → Selesai. Approving
// or cancelling is the path's verification step, done in its role at an
// office of its kind; a cancellation needs a note. Inside Diproses the
// path's steps are recorded in order, each by an officer acting in the
// step's role at an office of the step's kind that holds the file; a
// step's hand-over moves the file to another office kind. Selesai needs
// every step done.
//
// A step that waits for dinas decisions (catalog.Decision) files one
// decision request per decision through the Decider (node/decision),
// which works offline, and stays waiting until every answer is in this
// node's decision book; Settle records them (the office that asked does)
// and OnDecided lets the node apply the step's registry effect. A refused
// decision ends the wait without finishing the step, so it can be recorded
// again. A step's inputs from other subsystems (catalog.Input) are stored
// as documents of the step.
//
// Only the status and the steps change after creation, so only they can
// conflict: a request approved at one office and cancelled at another
// keeps both, lists the conflict, and refuses changes until an officer
// resolves it (Resolve). Errors are of node/fault's kinds, with messages
// in Bahasa Indonesia.
package request
