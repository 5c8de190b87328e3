package document

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	pb "github.com/libp2p/go-libp2p/core/crypto/pb"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/node/fault"
)

// Seal is the dinas cluster's electronic signature (TTE) on a KK.
type Seal struct {
	Signer    string // libp2p peer ID of the cluster key, as text
	Signature []byte // ed25519 signature over kkDomain, 0x00 and the KK payload
	Digest    []byte // SHA-256 of CanonicalKK(data)
}

// kkDomain separates KK signatures from every other use of the cluster key.
const kkDomain = "sinkron/kk/v1"

var (
	// ErrUntrustedSigner: the KK is signed by another key than the
	// trusted dinas cluster key.
	ErrUntrustedSigner = fault.New(fault.Invalid, "KK tidak ditandatangani oleh kunci Dinas yang dipercaya")
	// ErrBadSignature: the signature does not match the signed content.
	ErrBadSignature = fault.New(fault.Invalid, "tanda tangan elektronik KK tidak sah")
	// ErrDigestMismatch: the KK's data differs from the data that was signed.
	ErrDigestMismatch = fault.New(fault.Invalid, "isi KK berbeda dari yang ditandatangani")
)

// SignKK seals a KK with the dinas cluster's ed25519 key. It validates the
// data (16-digit KK number and NIKs, dates as YYYY-MM-DD, 1..40 members
// with distinct NIKs, valid UTF-8, fields up to 256 bytes), computes the
// digest of CanonicalKK and signs kkDomain ‖ 0x00 ‖ the KK payload, which
// binds the KK number, issue date, head's name, member NIKs and that
// digest: the same signature verifies the full data (VerifyKK) and the
// printed QR code (VerifyKKQR).
func SignKK(data KKData, priv crypto.PrivKey) (Seal, error) {
	if priv == nil || priv.Type() != pb.KeyType_Ed25519 {
		return Seal{}, errors.New("kunci penanda tangan KK harus kunci ed25519 klaster Dinas")
	}
	digest, err := KKDigest(data)
	if err != nil {
		return Seal{}, err
	}
	id, err := peer.IDFromPrivateKey(priv)
	if err != nil {
		return Seal{}, fmt.Errorf("ID kunci Dinas: %w", err)
	}
	sig, err := priv.Sign(signedMessage(encodePayload(summaryOf(data, digest))))
	if err != nil {
		return Seal{}, fmt.Errorf("menandatangani KK: %w", err)
	}
	return Seal{Signer: id.String(), Signature: sig, Digest: digest}, nil
}

// VerifyKK checks a KK's full data against its seal and the trusted
// cluster peer ID, offline: the signer must be trusted, the data's digest
// must equal the sealed digest, and the signature must verify under the
// public key embedded in trusted.
func VerifyKK(data KKData, seal Seal, trusted peer.ID) error {
	digest, err := KKDigest(data)
	if err != nil {
		return err
	}
	signer, err := peer.Decode(seal.Signer)
	if err != nil {
		return fmt.Errorf("%w: penanda tangan %q tidak terbaca", ErrUntrustedSigner, seal.Signer)
	}
	if err := checkSigner(signer, trusted); err != nil {
		return err
	}
	if !bytes.Equal(digest, seal.Digest) {
		return ErrDigestMismatch
	}
	return checkSignature(trusted, encodePayload(summaryOf(data, digest)), seal.Signature)
}

// checkSigner refuses a signer other than the trusted key.
func checkSigner(signer, trusted peer.ID) error {
	if signer != trusted {
		return fmt.Errorf("%w: ditandatangani %s, yang dipercaya %s", ErrUntrustedSigner, signer, trusted)
	}
	return nil
}

// checkSignature verifies sig over payload with the key inside trusted.
func checkSignature(trusted peer.ID, payload, sig []byte) error {
	pub, err := trusted.ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("%w: ID %s tidak memuat kunci publik", ErrUntrustedSigner, trusted)
	}
	ok, err := pub.Verify(signedMessage(payload), sig)
	if err != nil || !ok {
		return ErrBadSignature
	}
	return nil
}

func signedMessage(payload []byte) []byte {
	msg := make([]byte, 0, len(kkDomain)+1+len(payload))
	msg = append(msg, kkDomain...)
	msg = append(msg, 0)
	return append(msg, payload...)
}

// KKSummary is what a KK's QR code carries and VerifyKKQR returns: enough
// to recognise the family card, and the digest binding all of its data.
type KKSummary struct {
	Number     string   // Nomor KK
	IssueDate  string   // "YYYY-MM-DD"
	HeadName   string   // Nama Kepala Keluarga
	MemberNIKs []string // in printed order
	Digest     []byte   // SHA-256 of CanonicalKK of the full data
	Signer     peer.ID  // the cluster key that signed
}

func summaryOf(d KKData, digest []byte) KKSummary {
	niks := make([]string, len(d.Members))
	for i, m := range d.Members {
		niks[i] = m.NIK
	}
	return KKSummary{Number: d.Number, IssueDate: d.IssueDate, HeadName: d.HeadName,
		MemberNIKs: niks, Digest: digest}
}

// Matches reports whether data is the full KK this summary was signed
// for: same digest, hence same every field.
func (s KKSummary) Matches(data KKData) error {
	digest, err := KKDigest(data)
	if err != nil {
		return err
	}
	if !bytes.Equal(digest, s.Digest) {
		return ErrDigestMismatch
	}
	return nil
}
