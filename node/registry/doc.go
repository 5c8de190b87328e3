// Package registry is the resident registry: Penduduk (residents, keyed by
// NIK, with the biodata printed on the KTP-el) and Keluarga (family cards,
// keyed by Nomor KK, with the head, the address and the members with their
// hubungan dalam keluarga). Every change is a replicated event, so an office
// keeps registering and editing while cut off and merges when it syncs.
//
// Both kinds are folded with replication/fold, so each datum is its own
// multi-value register:
//   - every biodata field of a resident, and every address field of a family;
//   - "kepala_keluarga", the head's NIK;
//   - "anggota/<NIK>" for each member ever on the card: the relationship
//     while a member, "keluar" once removed.
//
// Two offices changing the same register while apart, to different values,
// leave a conflict that names both values with their officers and offices;
// changes to different registers (two fields, two members) both stand. An
// officer settles a conflict with a resolution event that has seen every
// competing value (its deps are all the entity's heads), one register at a
// time; nothing is ever overwritten silently.
//
// Validation reuses node/form and reports *form.FieldError in Bahasa
// Indonesia; a refused call appends nothing.
//
// Cross-entity rules (a resident is on one card at a time, a NIK is
// registered once) are checked at the office that makes the change. Two
// offices apart can still break them (both register the same NIK: then
// every differing field is in conflict; both add one person to different
// cards: FamiliesOf returns both); the dinas decisions settle such cases.
package registry
