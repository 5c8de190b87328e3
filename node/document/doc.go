// Package document renders the printable documents of the civil-registration
// offices as PDF, and seals and verifies the Kartu Keluarga.
//
//   - RequestCopy: the resident's copy of a request (salinan permohonan) with
//     its tracking code as a QR code, the documents handed in, the steps
//     ahead with their time standards and how to check the status.
//   - Logbook: an office's daily logbook (buku harian) for one date, with the
//     totals per service.
//   - KK: the Kartu Keluarga, carrying the dinas cluster's electronic
//     signature (TTE) as a QR code that any node verifies offline.
//
// SignKK seals a KKData with the dinas cluster's ed25519 key over its
// canonical encoding (CanonicalKK); VerifyKK checks full data against a
// seal, and VerifyKKQR checks the text scanned from a printed KK's QR code,
// both against the trusted cluster peer ID and without any network.
//
// Documents use only fpdf's built-in core fonts (Helvetica, Courier) in the
// cp1252 code page: text outside it is transliterated or replaced, never
// fatal. NIK and KK numbers are masked to their last four digits on the
// request copy and the logbook, as population data is protected (seed 002).
// Every renderer is deterministic: the PDF's dates come from the input and
// the same input gives the same bytes. Officer- and resident-facing text,
// including error messages, is in Bahasa Indonesia.
package document
