// Package conversation is what a resident can do by writing to the
// regency's WhatsApp number, at the dinas server that holds it: check a
// request (tracking code, then the NIK it was filed with, under the same
// attempt limit as the public page), file a Sinkronisasi Data request one
// field at a time in Bahasa with the photos of the KK and KTP-el sent as
// WhatsApp images, or write BERHENTI. Each inbound message is handled once
// (by its wamid), in one transaction with the conversation's state and the
// reply queued in the outbox; a conversation left half-way expires and
// says so; one where the resident is stuck is listed for an officer.
package conversation
