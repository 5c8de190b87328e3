package testnet

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/bundle"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// forgingSource serves a node's events with one payload changed after
// signing, as a tampered flash disk would carry them.
type forgingSource struct {
	inner bundle.Source
}

func (f forgingSource) Vector() vv.Vector { return f.inner.Vector() }

func (f forgingSource) Scan(since vv.Vector, fn func([]byte) error) error {
	first := true
	return f.inner.Scan(since, func(raw []byte) error {
		if first {
			first = false
			e, err := event.Unmarshal(raw)
			if err != nil {
				return err
			}
			e.Payload = append([]byte(nil), e.Payload...)
			e.Payload[len(e.Payload)-1] ^= 1
			raw = e.Marshal()
		}
		return fn(raw)
	})
}

// SOP 20 on a flash disk: a kecamatan with no link exports a bundle; a
// truncated, corrupted or forged copy is refused at every office and changes
// nothing; the good copy brings the requests and their photos, once.
func TestBundlesRefusedEverywhereUnlessSound(t *testing.T) {
	nw := start(t, 2)
	kec, dinas := nw.Kecamatan(0), nw.Dinas()
	kec.SetOnline(false)
	for i := range 3 {
		must[*request.Request](t)(kec.Requests.Create(SampleForm(10 + i)))
	}
	var good bytes.Buffer
	if _, err := kec.ExportBundle(&good, dinas.Store().Vector(), true); err != nil {
		t.Fatal(err)
	}
	var forged bytes.Buffer
	_, err := bundle.Export(&forged, forgingSource{kec.Store()}, kec.Blobs(), bundle.ExportOptions{Since: dinas.Store().Vector(), IncludeBlobs: true, Origin: kec.ID(), Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good.Bytes())
	flipped[len(flipped)/2] ^= 0x40
	bad := map[string][]byte{
		"truncated": good.Bytes()[:good.Len()*2/3],
		"corrupted": flipped,
		"forged":    forged.Bytes(),
	}
	others := []int{0, 2} // the dinas and the other kecamatan
	for name, b := range bad {
		for _, i := range others {
			n := nw.Nodes[i]
			before := n.Store().Vector()
			_, err := n.ImportBundle(bytes.NewReader(b))
			if err == nil {
				t.Fatalf("%s bundle accepted at %s", name, n.Member().Office)
			}
			if name == "forged" && !errors.Is(err, bundle.ErrForged) {
				t.Fatalf("forged bundle: %v", err)
			}
			if !n.Store().Vector().Equal(before) {
				t.Fatalf("%s bundle changed %s", name, n.Member().Office)
			}
		}
	}
	st, err := dinas.ImportBundle(bytes.NewReader(good.Bytes()))
	if err != nil || st.Applied != 3 || st.Blobs != 6 {
		t.Fatalf("good bundle: %+v %v", st, err)
	}
	if st, err := dinas.ImportBundle(bytes.NewReader(good.Bytes())); err != nil || st.Applied != 0 {
		t.Fatalf("second import: %+v %v", st, err)
	}
	if s := dinas.Status(); s.BlobsMissing != 0 {
		t.Fatalf("photos missing after bundle: %d", s.BlobsMissing)
	}
	list := must[[]*request.Request](t)(dinas.Requests.List(request.Filter{}))
	if len(list) != 3 {
		t.Fatalf("dinas has %d requests", len(list))
	}
}
