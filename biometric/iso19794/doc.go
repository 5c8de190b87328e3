// Package iso19794 reads and writes the biometric interchange formats a
// KTP-el recording travels in, strictly: a decoder refuses anything the
// encoder would not write (reserved bits set, lengths that disagree,
// out-of-range codes), so decode∘encode and encode∘decode are identities
// and every accepted byte string has exactly one meaning.
//
//   - ISO/IEC 19794-2:2005 finger minutiae record ("FMR\0", version " 20\0"):
//     24-byte header, finger views of 6-byte minutiae, extended data blocks.
//   - ISO/IEC 19794-2:2005 card formats (the minutiae data object that goes
//     on a chip, e.g. DG3): compact size, 3 bytes a minutia (x, y in 0.1 mm,
//     type and a 6-bit angle), and normal size, 5 bytes a minutia.
//   - The general record headers of ISO/IEC 19794-4 (finger image, "FIR\0"),
//     19794-5 (face image, "FAC\0") and 19794-6 (iris image, "IIR\0"), read
//     as containers: identifier, version, record length and the count of
//     representations are checked; the body is kept as bytes.
//   - Sinkron's iris template: an exception code, then Daugman's 2048-bit
//     IrisCode and its 2048-bit mask.
//
// Field layouts follow the 2005 editions as summarised publicly (e.g. the
// SourceAFIS project's format notes); no code was copied.
package iso19794
