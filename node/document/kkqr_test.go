package document

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

func sealedQR(t testing.TB) (string, KKData, peer.ID) {
	t.Helper()
	data, seal, id := signedKK(t)
	text, err := KKQRText(data, seal)
	if err != nil {
		t.Fatal(err)
	}
	return text, data, id
}

func TestVerifyKKQRRoundTrip(t *testing.T) {
	text, data, id := sealedQR(t)
	if !strings.HasPrefix(text, "SKK1:") || strings.ToUpper(text) != text {
		t.Fatalf("QR text %q is not upper-case SKK1:", text)
	}
	t.Logf("QR text: %d characters", len(text))
	s, err := VerifyKKQR(text, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"3299011503850001", "3299014907880002", "3299010501120003", "3299016110150001"}
	if s.Number != data.Number || s.IssueDate != data.IssueDate || s.HeadName != data.HeadName ||
		!reflect.DeepEqual(s.MemberNIKs, want) || s.Signer != id {
		t.Errorf("summary %+v", s)
	}
	if err := s.Matches(data); err != nil {
		t.Errorf("summary does not match its own KK: %v", err)
	}
	data.Members[1].Occupation = "Guru"
	if err := s.Matches(data); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("summary matches changed data: %v", err)
	}
}

func TestVerifyKKQRWrongKey(t *testing.T) {
	text, _, _ := sealedQR(t)
	_, other := testKey(t, "another-cluster")
	if _, err := VerifyKKQR(text, other); !errors.Is(err, ErrUntrustedSigner) {
		t.Errorf("err = %v, want ErrUntrustedSigner", err)
	}
	// A QR signed by another key but naming the trusted signer fails too.
	data := sampleKK()
	otherPriv, _ := testKey(t, "another-cluster")
	foreign, _ := SignKK(data, otherPriv)
	_, _, id := signedKK(t)
	foreign.Signer = id.String()
	forged, err := KKQRText(data, foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyKKQR(forged, id); !errors.Is(err, ErrBadSignature) {
		t.Errorf("forged signer: err = %v, want ErrBadSignature", err)
	}
}

func TestVerifyKKQRTruncated(t *testing.T) {
	text, _, id := sealedQR(t)
	for n := range len(text) {
		if _, err := VerifyKKQR(text[:n], id); err == nil {
			t.Fatalf("accepted the first %d of %d characters", n, len(text))
		}
	}
}

func TestVerifyKKQRBitFlips(t *testing.T) {
	text, _, id := sealedQR(t)
	raw, err := qrBase32.DecodeString(strings.TrimPrefix(text, kkQRPrefix))
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(raw) * 8 {
		b := bytes.Clone(raw)
		b[i/8] ^= 1 << (i % 8)
		if _, err := VerifyKKQR(kkQRPrefix+qrBase32.EncodeToString(b), id); err == nil {
			t.Fatalf("accepted a flip of bit %d", i)
		}
	}
	for i := range len(text) {
		for _, c := range []byte{'A', '7', 'a', ' '} {
			if text[i] == c {
				continue
			}
			b := []byte(text)
			b[i] = c
			if _, err := VerifyKKQR(string(b), id); err == nil {
				t.Fatalf("accepted %q at %d", c, i)
			}
		}
	}
	if _, err := VerifyKKQR(text+"A", id); err == nil {
		t.Error("accepted a trailing character")
	}
}

func TestVerifyKKQRGarbage(t *testing.T) {
	_, _, id := signedKK(t)
	cases := map[string]string{
		"empty":           "",
		"other prefix":    "SKK2:AAAA",
		"tracking code":   "20261124-AB12CD",
		"bad base32":      "SKK1:!!!!",
		"lower case":      "SKK1:aebagbaf",
		"empty body":      "SKK1:",
		"one byte":        "SKK1:AE",
		"huge":            "SKK1:" + strings.Repeat("A", maxQRText),
		"zeros":           "SKK1:" + strings.Repeat("A", 300),
		"url":             "https://example.invalid/kk?no=3299012411260001",
		"binary":          "SKK1:\x00\xff\xfe",
		"version 2 bytes": "SKK1:" + qrBase32.EncodeToString(append([]byte{2}, make([]byte, 200)...)),
	}
	for name, text := range cases {
		_, err := VerifyKKQR(text, id)
		if !errors.Is(err, ErrKKQR) {
			t.Errorf("%s: err = %v, want ErrKKQR", name, err)
		}
	}
}

// TestVerifyKKQRNonCanonical re-encodes a valid code with a padded varint:
// same meaning, different bytes, refused.
func TestVerifyKKQRNonCanonical(t *testing.T) {
	text, data, id := sealedQR(t)
	raw, _ := qrBase32.DecodeString(strings.TrimPrefix(text, kkQRPrefix))
	at := 1 + 8 + 4 // the head name's length
	if int(raw[at]) != len(data.HeadName) {
		t.Fatalf("layout changed: byte %d is %d", at, raw[at])
	}
	padded := append(append(bytes.Clone(raw[:at]), raw[at]|0x80, 0), raw[at+1:]...)
	_, err := VerifyKKQR(kkQRPrefix+qrBase32.EncodeToString(padded), id)
	if !errors.Is(err, ErrKKQR) {
		t.Errorf("padded varint: err = %v, want ErrKKQR", err)
	}
}

func FuzzVerifyKKQR(f *testing.F) {
	text, _, id := sealedQR(f)
	f.Add(text)
	f.Add(text[:len(text)/2])
	f.Add("SKK1:")
	f.Add("SKK1:AEAQCAIBAEAQCAIB")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		sum, err := VerifyKKQR(s, id)
		if err != nil {
			return
		}
		if s != text {
			t.Fatalf("accepted %q, which is not the signed code", s)
		}
		if sum.Number == "" || len(sum.Digest) != 32 {
			t.Fatalf("accepted with an empty summary %+v", sum)
		}
	})
}
