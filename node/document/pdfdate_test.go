package document

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// A document's metadata dates carry the zone they were printed in: without
// the offset a PDF reader showed 09.15 WIB as 09.15 UTC. The dates are
// written after fpdf lays out the file, so the test also checks that every
// object is where the cross-reference table says.
func TestPDFDatesCarryTheirZone(t *testing.T) {
	data, seal, _ := signedKK(t)
	wita := time.FixedZone("WITA", 8*3600)
	printed := time.Date(2026, 11, 24, 9, 15, 0, 0, wita)
	kk := KKDocument{Data: data, Seal: seal, Printed: printed}
	req := sampleRequest()
	req.Printed = printed
	log := sampleLog(3)
	log.Printed = printed
	render := map[string]func() ([]byte, error){
		"request": func() ([]byte, error) { return RequestCopy(req) },
		"logbook": func() ([]byte, error) { return Logbook(log) },
		"kk":      func() ([]byte, error) { return KK(kk) },
	}
	for name, f := range render {
		b, err := f()
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"CreationDate", "ModDate"} {
			if want := fmt.Sprintf("/%s (D:20261124091500+08'00')", key); !bytes.Contains(b, []byte(want)) {
				t.Errorf("%s: no %s", name, want)
			}
		}
		checkXref(t, name, b)
	}
}

// checkXref: startxref points at the table, and each entry at its object.
func checkXref(t *testing.T, name string, b []byte) {
	t.Helper()
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n?$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no startxref at the end", name)
	}
	at, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(b[at:], []byte("xref\n")) {
		t.Fatalf("%s: startxref %d does not point at the table", name, at)
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(b[at:], -1)
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := fmt.Sprintf("%d 0 obj", i+1); !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Errorf("%s: xref entry %d points at %q", name, i+1, b[off:min(len(b), off+12)])
		}
	}
}
