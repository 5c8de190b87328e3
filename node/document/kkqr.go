package document

import (
	"bytes"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/node/fault"
)

// The KK QR code carries the text
//
//	"SKK1:" + base32(payload ‖ uvarint(len(signer)) ‖ signer ‖ signature)
//
// in the RFC 4648 alphabet, upper case, without padding, so the whole text
// fits the QR alphanumeric mode (5.5 bits a character instead of 8).
// payload is
//
//	0x01                      format version
//	BCD(Number)               8 bytes, two digits a byte
//	BCD(IssueDate as YYYYMMDD) 4 bytes
//	uvarint(len) ‖ HeadName   UTF-8
//	uvarint(n) ‖ n × BCD(NIK) 8 bytes each, members in printed order
//	digest                    32 bytes, SHA-256 of CanonicalKK
//
// signer is the peer ID's bytes and signature the 64-byte ed25519
// signature over "sinkron/kk/v1" ‖ 0x00 ‖ payload. Only this canonical form
// is accepted: minimal varints, nothing trailing, canonical base32.
const kkQRPrefix = "SKK1:"

// ErrKKQR reports a QR text that is not a well-formed signed KK code.
var ErrKKQR = fault.New(fault.Invalid, "kode QR bukan tanda tangan KK Sinkron yang sah")

const (
	maxQRText  = 4096 // longest QR text VerifyKKQR reads
	sigSize    = 64   // ed25519
	digestSize = 32   // SHA-256
	maxSigner  = 128  // bytes of a peer ID
)

var qrBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// KKQRText returns the text of the QR code printed on a KK. It does not
// verify the seal; KK does before printing.
func KKQRText(data KKData, seal Seal) (string, error) {
	if _, err := CanonicalKK(data); err != nil {
		return "", err
	}
	signer, err := peer.Decode(seal.Signer)
	if err != nil || len(seal.Digest) != digestSize || len(seal.Signature) != sigSize {
		return "", fmt.Errorf("%w: segel KK tidak lengkap", ErrKKQR)
	}
	raw := encodePayload(summaryOf(data, seal.Digest))
	raw = binary.AppendUvarint(raw, uint64(len(signer)))
	raw = append(raw, signer...)
	raw = append(raw, seal.Signature...)
	return kkQRPrefix + qrBase32.EncodeToString(raw), nil
}

// VerifyKKQR checks the text read from a KK's QR code against the trusted
// dinas cluster peer ID, without any network: the signer must be trusted
// and the signature must verify under the public key embedded in trusted.
// It returns what the code carries; compare it with the printed card, or
// with the full data through KKSummary.Matches.
func VerifyKKQR(qrText string, trusted peer.ID) (KKSummary, error) {
	payload, signer, sig, err := splitKKQR(qrText)
	if err != nil {
		return KKSummary{}, err
	}
	s, err := decodePayload(payload)
	if err != nil {
		return KKSummary{}, err
	}
	if err := checkSigner(signer, trusted); err != nil {
		return KKSummary{}, err
	}
	if err := checkSignature(trusted, payload, sig); err != nil {
		return KKSummary{}, err
	}
	s.Signer = signer
	return s, nil
}

// splitKKQR decodes the QR text into payload, signer and signature.
func splitKKQR(text string) (payload []byte, signer peer.ID, sig []byte, err error) {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrKKQR, why) }
	if len(text) > maxQRText {
		return nil, "", nil, bad("terlalu panjang")
	}
	body, ok := strings.CutPrefix(text, kkQRPrefix)
	if !ok {
		return nil, "", nil, bad("awalan " + kkQRPrefix + " tidak ada")
	}
	raw, err := qrBase32.DecodeString(body)
	if err != nil || qrBase32.EncodeToString(raw) != body {
		return nil, "", nil, bad("isi tidak terbaca")
	}
	n, err := payloadLen(raw)
	if err != nil {
		return nil, "", nil, err
	}
	r := &reader{b: raw[n:]}
	idBytes := r.bytes(r.uvarint(maxSigner))
	sig = r.rest()
	if r.err != nil || len(sig) != sigSize {
		return nil, "", nil, bad("bagian tanda tangan rusak")
	}
	signer, err = peer.IDFromBytes(idBytes)
	if err != nil {
		return nil, "", nil, bad("ID penanda tangan rusak")
	}
	return raw[:n], signer, sig, nil
}

// encodePayload is the signed part of the QR code.
func encodePayload(s KKSummary) []byte {
	out := []byte{kkVersion}
	out = append(out, bcd(s.Number)...)
	out = append(out, bcd(strings.ReplaceAll(s.IssueDate, "-", ""))...)
	out = binary.AppendUvarint(out, uint64(len(s.HeadName)))
	out = append(out, s.HeadName...)
	out = binary.AppendUvarint(out, uint64(len(s.MemberNIKs)))
	for _, nik := range s.MemberNIKs {
		out = append(out, bcd(nik)...)
	}
	return append(out, s.Digest...)
}

// payloadLen parses the payload at the start of raw and returns its length.
func payloadLen(raw []byte) (int, error) {
	r := &reader{b: raw}
	r.fixed(1 + 8 + 4)
	r.bytes(r.uvarint(maxField))
	r.fixed(int(r.uvarint(maxMembers)) * 8)
	r.fixed(digestSize)
	if r.err != nil {
		return 0, fmt.Errorf("%w: data KK terpotong", ErrKKQR)
	}
	return r.pos, nil
}

// decodePayload reads a payload and refuses any non-canonical form.
func decodePayload(payload []byte) (KKSummary, error) {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrKKQR, why) }
	r := &reader{b: payload}
	if v := r.fixed(1); r.err == nil && v[0] != kkVersion {
		return KKSummary{}, bad(fmt.Sprintf("versi %d tidak dikenal", v[0]))
	}
	var s KKSummary
	s.Number = unbcd(r.fixed(8))
	date := unbcd(r.fixed(4))
	s.HeadName = string(r.bytes(r.uvarint(maxField)))
	n := r.uvarint(maxMembers)
	for i := uint64(0); i < n && r.err == nil; i++ {
		s.MemberNIKs = append(s.MemberNIKs, unbcd(r.fixed(8)))
	}
	s.Digest = bytes.Clone(r.fixed(digestSize))
	if r.err != nil || len(date) != 8 {
		return KKSummary{}, bad("data KK rusak")
	}
	s.IssueDate = date[:4] + "-" + date[4:6] + "-" + date[6:]
	if !bytes.Equal(encodePayload(s), payload) || !validISODate(s.IssueDate) {
		return KKSummary{}, bad("data KK tidak kanonik")
	}
	return s, nil
}

// bcd packs a string of an even number of decimal digits two to a byte.
// Callers pass validated digits only.
func bcd(digits string) []byte {
	out := make([]byte, len(digits)/2)
	for i := range out {
		out[i] = (digits[2*i]-'0')<<4 | (digits[2*i+1] - '0')
	}
	return out
}

// unbcd unpacks bcd; a nibble above 9 yields "" (refused by the caller's
// canonical re-encoding check).
func unbcd(b []byte) string {
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		hi, lo := c>>4, c&0xf
		if hi > 9 || lo > 9 {
			return ""
		}
		out = append(out, '0'+hi, '0'+lo)
	}
	return string(out)
}

// reader reads a byte slice; the first failure sticks in err and every
// later read returns zero values.
type reader struct {
	b   []byte
	pos int
	err error
}

var errShort = errors.New("terpotong")

func (r *reader) fixed(n int) []byte {
	if r.err != nil || n < 0 || len(r.b)-r.pos < n {
		r.err = errShort
		return make([]byte, max(n, 0))
	}
	v := r.b[r.pos : r.pos+n]
	r.pos += n
	return v
}

func (r *reader) bytes(n uint64) []byte { return r.fixed(int(n)) }

// uvarint reads a minimally encoded uvarint not above limit.
func (r *reader) uvarint(limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 || v > limit || n != len(binary.AppendUvarint(nil, v)) {
		r.err = errShort
		return 0
	}
	r.pos += n
	return v
}

func (r *reader) rest() []byte {
	if r.err != nil {
		return nil
	}
	v := r.b[r.pos:]
	r.pos = len(r.b)
	return v
}
