// Package notices carries residents' WhatsApp notices through the
// replicated log to the regency's one Cloud API number at the dinas, and
// the statuses of those notices back to every office.
//
// An office without the number hands each notice its outbox takes to the
// log as a pemberitahuan.antre event (Relay): writing it needs no network,
// so an office offline for days queues its notices as events, and they
// leave with its next sync. The sender, on the dinas server that holds the
// number, files each such event into its own outbox in the transaction
// that stores the event (Queue), so a notice is queued exactly when its
// event is held, and once: the store applies an event once. The sender
// writes what the Cloud API reports as pemberitahuan.status events, so
// `request get` at any office shows the delivery state. BERHENTI is a
// warga-wa.berhenti event every office holds, and the sender refuses to
// send to a number that wrote it.
package notices
