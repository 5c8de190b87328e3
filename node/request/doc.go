// Package request is the Sinkronisasi Data service (seeds 000 and 001): a
// resident's request to make their NIK and KK readable again at BPJS, banks
// and other data users. It validates the form, stores the photos, records
// every status change and processing step as a replicated event, folds those
// events into the request a counter sees, and queues the resident's
// WhatsApp notices.
//
// Statuses: Baru → Disetujui | Dibatalkan → Diproses → Selesai. Inside
// Diproses the dinas completes Konsolidasi Manual, then Sinkronisasi DWH.
package request
