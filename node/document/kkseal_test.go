package document

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
)

func TestSignVerifyKK(t *testing.T) {
	data, seal, id := signedKK(t)
	if err := VerifyKK(data, seal, id); err != nil {
		t.Fatal(err)
	}
	if seal.Signer != id.String() || len(seal.Signature) != 64 || len(seal.Digest) != 32 {
		t.Fatalf("seal %+v", seal)
	}
	priv, _ := testKey(t, "dinas-cluster")
	again, err := SignKK(data, priv)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(seal, again) {
		t.Error("sealing the same KK twice gave different seals")
	}
}

// stringFields returns pointers to every string field of v, recursively,
// named by path, so a field added to KKData is tested without edits here.
func stringFields(v reflect.Value, path string) map[string]*string {
	out := map[string]*string{}
	switch v.Kind() {
	case reflect.String:
		out[path] = v.Addr().Interface().(*string)
	case reflect.Struct:
		for i := range v.NumField() {
			for k, p := range stringFields(v.Field(i), path+"."+v.Type().Field(i).Name) {
				out[k] = p
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			for k, p := range stringFields(v.Index(i), path+"["+string(rune('0'+i))+"]") {
				out[k] = p
			}
		}
	}
	return out
}

func TestVerifyKKRefusesAnyFieldChange(t *testing.T) {
	orig, seal, id := signedKK(t)
	n := len(stringFields(reflect.ValueOf(&orig).Elem(), "KK"))
	if n != 15+4*13 {
		t.Fatalf("found %d string fields; update the canonical encoding and this count together", n)
	}
	for path := range stringFields(reflect.ValueOf(&orig).Elem(), "KK") {
		data := sampleKK()
		data.Members = append([]KKMember(nil), data.Members...)
		p := stringFields(reflect.ValueOf(&data).Elem(), "KK")[path]
		*p = mutateField(*p)
		err := VerifyKK(data, seal, id)
		if !errors.Is(err, ErrDigestMismatch) && !errors.Is(err, ErrInvalidKK) {
			t.Errorf("changing %s: err = %v", path, err)
		}
	}
}

// mutateField changes a value while keeping it valid where it can, so the
// digest, not validation, has to catch the change.
func mutateField(s string) string {
	switch {
	case digits16(s):
		return s[:15] + string('0'+(s[15]-'0'+1)%10)
	case validISODate(s):
		return s[:9] + string('0'+(s[9]-'0'+1)%8)
	case s == "":
		return "x"
	}
	return s + " "
}

func TestVerifyKKRefusesMemberChanges(t *testing.T) {
	orig, seal, id := signedKK(t)
	cases := map[string]func(d *KKData){
		"swapped":  func(d *KKData) { d.Members[1], d.Members[2] = d.Members[2], d.Members[1] },
		"removed":  func(d *KKData) { d.Members = d.Members[:3] },
		"added":    func(d *KKData) { m := d.Members[3]; m.NIK = "3299016110150009"; d.Members = append(d.Members, m) },
		"head":     func(d *KKData) { d.HeadName = strings.ToUpper(d.HeadName) },
		"boundary": func(d *KKData) { d.Address.RT, d.Address.RW = "0030", "05" },
	}
	for name, mutate := range cases {
		data := orig
		data.Members = append([]KKMember(nil), orig.Members...)
		mutate(&data)
		if err := VerifyKK(data, seal, id); !errors.Is(err, ErrDigestMismatch) {
			t.Errorf("%s: err = %v, want ErrDigestMismatch", name, err)
		}
	}
}

func TestVerifyKKRefusesBadSeals(t *testing.T) {
	data, seal, id := signedKK(t)
	_, other := testKey(t, "another-cluster")
	if err := VerifyKK(data, seal, other); !errors.Is(err, ErrUntrustedSigner) {
		t.Errorf("wrong trusted key: err = %v", err)
	}
	otherPriv, _ := testKey(t, "another-cluster")
	foreign, _ := SignKK(data, otherPriv)
	forged := foreign
	forged.Signer = seal.Signer
	if err := VerifyKK(data, forged, id); !errors.Is(err, ErrBadSignature) {
		t.Errorf("signature by another key under our name: err = %v", err)
	}
	flipped := seal
	flipped.Signature = append([]byte(nil), seal.Signature...)
	flipped.Signature[10] ^= 1
	if err := VerifyKK(data, flipped, id); !errors.Is(err, ErrBadSignature) {
		t.Errorf("flipped signature: err = %v", err)
	}
	digest := seal
	digest.Digest = append([]byte(nil), seal.Digest...)
	digest.Digest[0] ^= 1
	if err := VerifyKK(data, digest, id); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("altered digest: err = %v", err)
	}
	garbled := seal
	garbled.Signer = "12D3KooW-bukan"
	if err := VerifyKK(data, garbled, id); !errors.Is(err, ErrUntrustedSigner) {
		t.Errorf("unreadable signer: err = %v", err)
	}
	for _, short := range [][]byte{nil, seal.Signature[:63]} {
		s := seal
		s.Signature = short
		if err := VerifyKK(data, s, id); !errors.Is(err, ErrBadSignature) {
			t.Errorf("signature of %d bytes: err = %v", len(short), err)
		}
	}
}

func TestSignKKRefusesInvalidData(t *testing.T) {
	priv, _ := testKey(t, "dinas-cluster")
	cases := map[string]func(d *KKData){
		"short KK number":  func(d *KKData) { d.Number = "329901241126" },
		"letters in NIK":   func(d *KKData) { d.Members[0].NIK = "32990115038500AB" },
		"duplicate NIK":    func(d *KKData) { d.Members[1].NIK = d.Members[0].NIK },
		"no members":       func(d *KKData) { d.Members = nil },
		"too many members": func(d *KKData) { d.Members = make([]KKMember, maxMembers+1) },
		"bad issue date":   func(d *KKData) { d.IssueDate = "24-11-2026" },
		"bad birth date":   func(d *KKData) { d.Members[2].BirthDate = "2012-02-30" },
		"empty head":       func(d *KKData) { d.HeadName = "  " },
		"empty name":       func(d *KKData) { d.Members[3].Name = "" },
		"invalid UTF-8":    func(d *KKData) { d.Address.Street = "Jl. \xff" },
		"field too long":   func(d *KKData) { d.Members[0].MotherName = strings.Repeat("a", maxField+1) },
	}
	for name, mutate := range cases {
		data := sampleKK()
		mutate(&data)
		_, err := SignKK(data, priv)
		if !errors.Is(err, ErrInvalidKK) {
			t.Errorf("%s: err = %v, want ErrInvalidKK", name, err)
		} else if !strings.HasPrefix(err.Error(), "data KK tidak sah: ") {
			t.Errorf("%s: message %q", name, err)
		}
	}
	secp, _, err := crypto.GenerateSecp256k1Key(strings.NewReader(strings.Repeat("k", 64)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SignKK(sampleKK(), secp); err == nil {
		t.Error("signed with a secp256k1 key")
	}
	if _, err := SignKK(sampleKK(), nil); err == nil {
		t.Error("signed with no key")
	}
}

func TestCanonicalKKIsUnambiguous(t *testing.T) {
	a, b := sampleKK(), sampleKK()
	a.Address.Street, a.Address.RT = "Kp. Babakan", "003"
	b.Address.Street, b.Address.RT = "Kp. Babakan0", "03"
	ca, _ := CanonicalKK(a)
	cb, _ := CanonicalKK(b)
	if string(ca) == string(cb) {
		t.Error("moving a byte between fields does not change the encoding")
	}
	if ca[0] != 1 {
		t.Errorf("canonical encoding starts with %d, want version 1", ca[0])
	}
}
