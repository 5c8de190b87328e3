// Package institution lets registered institutions (BPJS, banks, the tax
// office, schools) check a NIK against the regency's data warehouse
// (node/dwh) the way Dukcapil's verification access works: they send what
// they hold of a resident and get, per field, SESUAI or TIDAK SESUAI, never
// the data itself, with the record's as-of time; for an unknown or stale
// NIK the answer says why, in Bahasa with an English code.
//
// Each institution has an API key (32 random bytes; only its SHA-256 is
// stored, as a key of that entropy needs no slow hash) and optionally a TLS
// client certificate (only the SHA-256 of its SubjectPublicKeyInfo is
// stored), a rate quota shared by both, and an audit row for every call,
// committed before the call is answered.
// Every call carries a request id and the time it was sent: an id seen
// within the replay window, or a time outside it, is refused, so a captured
// call cannot be played again to open a second request.
package institution
