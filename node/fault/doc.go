// Package fault holds the kinds of domain error every node package returns:
// not found, invalid input, already exists, a precondition not met, a
// permission missing, and a few more. Each package keeps its own
// officer-facing sentinels ("permohonan tidak ditemukan", "akun tidak
// ditemukan"), made with New and a Kind, so a caller tests the kind
// (errors.Is(err, fault.ErrNotFound)) or the package's own sentinel, and the
// API maps every package's errors to protocol codes in one place (KindOf).
package fault
