package testnet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// regency is a dinas, a kecamatan and a mobile unit as real nodes, with
// blank card stock allocated by the dinas cluster.
type regency struct {
	nw      *Network
	offices map[roster.Role]*node.Node
	blank   uint64
	serial  int // of the residents registered for the walks
}

func newRegency(t *testing.T) *regency {
	nw := startDinas(t, 1, 1)
	i, err := nw.Join(node.OfficeSpec{Name: "Unit Mobile Tanggamus", Role: roster.Mobile, Region: "180601"})
	if err != nil {
		t.Fatal(err)
	}
	mobile, dinas := nw.Nodes[i], nw.Dinas()
	ctx := context.Background()
	if _, err := dinas.Decisions.Decide(ctx, &eventpb.Command{Op: &eventpb.Command_ChangeRoster{ChangeRoster: &eventpb.ChangeRoster{
		Op: "tambah", Peer: mobile.ID().String(), Office: "Unit Mobile Tanggamus", Role: "mobile", Region: "180601",
		Addrs: []string{mobile.Addrs()[0].String()}}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the roster admits the mobile unit", func() bool { return nw.Kecamatan(0).Roster().Admits(mobile.ID()) })
	nw.Introduce(i)
	blanks, err := dinas.Decisions.Decide(ctx, &eventpb.Command{Op: &eventpb.Command_AllocateBlankSerials{
		AllocateBlankSerials: &eventpb.AllocateBlankSerials{Station: "cetak-dinas", Count: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	return &regency{nw: nw, blank: blanks.SerialFrom,
		offices: map[roster.Role]*node.Node{catalog.Dinas: dinas, catalog.Kecamatan: nw.Kecamatan(0), catalog.Mobile: mobile}}
}

// Every service of the catalog, on every path, through real offices: each
// step at its office by its role, the file handed over through
// replication, decisions taken by the dinas cluster; an offline path's
// office is cut off while it takes and verifies the request. Every office
// ends with the request Selesai and every step done.
func TestEveryServiceAcrossOffices(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every service through real nodes")
	}
	g := newRegency(t)
	for _, svc := range catalog.All() {
		for _, path := range svc.Paths {
			t.Run(svc.Name+"/"+path.Name, func(t *testing.T) { g.walk(t, svc, path) })
		}
	}
}

func (g *regency) walk(t *testing.T, svc catalog.Service, path catalog.Path) {
	start := g.offices[path.Start]
	values := FormValues(svc.Form)
	if svc.Name != "ktp-el-baru" { // the others serve a registered resident
		values["nik"], values["kk"] = g.resident(t)
	}
	if _, ok := values["data_baru"]; ok {
		values["data_baru"] = "Siti Aminah Putri" // perubahan elemen: the new name
	}
	if path.Offline {
		start.SetOnline(false)
	}
	r := must[*request.Request](t)(start.Requests.Create(request.Form{Service: svc.Name, Path: path.Name, Fields: values, Officer: "Budi", Documents: Uploads(svc, path.Name, values)}))
	verify, _ := path.Verification()
	must[*request.Request](t)(start.Requests.Transition(r.ID, request.Disetujui, Actor(verify), "berkas lengkap", "Budi"))
	start.SetOnline(true)
	holder := g.await(t, r.ID, func(q *request.Request) bool { return q.Status == request.Disetujui })
	must[*request.Request](t)(g.offices[roster.Role(holder.Holder)].Requests.Transition(r.ID, request.Diproses, "", "", "Andi"))
	for i, st := range path.Processing() {
		o := g.offices[st.Office]
		g.awaitAt(t, o, r.ID, func(q *request.Request) bool { return q.Status == request.Diproses && (i == 0 || q.Steps[i-1].Done) })
		g.blank++
		if _, err := o.Requests.CompleteStep(r.ID, st.Name, Actor(st), "", "Petugas "+string(st.Role), StepInputs(st, g.blank)...); err != nil {
			t.Fatalf("step %s at %s: %v", st.Name, st.Office, err)
		}
		if slices.Contains(st.Waits, catalog.DecisionDedup) {
			g.verdict(t, r.ID) // nothing records a verdict by itself
		}
		if slices.Contains(st.Waits, catalog.DecisionDWH) {
			g.warehoused(t, r.ID) // the request then finishes by itself
			break
		}
	}
	last := len(path.Processing()) - 1
	done := g.await(t, r.ID, func(q *request.Request) bool { return q.Steps[last].Done })
	if done.Status != request.Selesai && !slices.ContainsFunc(path.Processing(), func(s catalog.Step) bool { return slices.Contains(s.Waits, catalog.DecisionDWH) }) {
		must[*request.Request](t)(g.offices[roster.Role(done.Holder)].Requests.Transition(r.ID, request.Selesai, "", "", "Andi"))
	}
	for _, o := range g.offices {
		g.awaitAt(t, o, r.ID, func(q *request.Request) bool { return q.Status == request.Selesai && !q.InConflict() })
	}
	g.checkRegistry(t, svc, done, values)
}

// resident registers a resident on a family card of their own, seen by
// every office, and returns the NIK and the Nomor KK.
func (g *regency) resident(t *testing.T) (string, string) {
	g.serial++
	nik, kk := fmt.Sprintf("1806015708900%03d", g.serial), fmt.Sprintf("1806011508150%03d", g.serial)
	dinas := g.offices[catalog.Dinas]
	a := registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2", DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung",
		KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}
	if _, err := dinas.RegisterResident(registry.Biodata{NIK: nik, NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung",
		TanggalLahir: "1990-08-17", JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin",
		Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI", Address: a}, "Petugas"); err != nil {
		t.Fatal(err)
	}
	if _, err := dinas.Residents.CreateFamily(kk, nik, a, "Petugas"); err != nil {
		t.Fatal(err)
	}
	for _, o := range g.offices {
		var err error
		waitFor(t, "the family card at "+o.Member().Office, func() bool { _, err = o.Residents.Family(kk); return err == nil })
	}
	return nik, kk
}

// checkRegistry checks what a finished request did to the registry, at the
// dinas: a new resident registered with the NIK the dinas gave, a changed
// name, a resident moved to a new family card.
func (g *regency) checkRegistry(t *testing.T, svc catalog.Service, r *request.Request, values map[string]string) {
	dinas := g.offices[catalog.Dinas]
	switch {
	case svc.Name == "ktp-el-baru":
		d, ok := r.Decided(catalog.DecisionNIK)
		if !ok {
			t.Fatalf("no NIK among the request's decisions: %+v", r.Steps)
		}
		nik := d.NIK
		waitFor(t, "the new resident in the registry", func() bool { _, err := dinas.Residents.Resident(nik); return err == nil })
	case svc.Name == "ktp-el-pengganti-perubahan-elemen":
		waitFor(t, "the changed name", func() bool {
			res, err := dinas.Residents.Resident(values["nik"])
			return err == nil && res.NamaLengkap == "SITI AMINAH PUTRI"
		})
	case strings.HasPrefix(svc.Name, "pindah-"):
		waitFor(t, "the resident on a new family card", func() bool {
			fs, err := dinas.Residents.FamiliesOf(values["nik"])
			return err == nil && len(fs) == 1 && fs[0].KK != values["kk"]
		})
	}
}

// verdict is a dinas officer's finding that the recording is no one else's,
// recorded through the decision service as the API does.
func (g *regency) verdict(t *testing.T, enrollment string) {
	t.Helper()
	_, err := g.offices[catalog.Dinas].Decisions.Decide(context.Background(), &eventpb.Command{Key: "putusan/" + enrollment,
		Op: &eventpb.Command_RecordDedupVerdict{RecordDedupVerdict: &eventpb.RecordDedupVerdict{Enrollment: enrollment, Verdict: "unik"}}})
	if err != nil {
		t.Fatalf("record the verdict on %s: %v", enrollment, err)
	}
}

// warehoused is the DWH feed's confirmation that the warehouse holds the
// request's consolidated record (TestInstitutionSeesAChangeArrive runs the
// real feed against PostgreSQL).
func (g *regency) warehoused(t *testing.T, request string) {
	t.Helper()
	_, err := g.offices[catalog.Dinas].Decisions.Decide(context.Background(), &eventpb.Command{Key: decision.WarehouseKey(request),
		Op: &eventpb.Command_ConfirmWarehouse{ConfirmWarehouse: &eventpb.ConfirmWarehouse{Request: request}}})
	if err != nil {
		t.Fatalf("confirm %s in the warehouse: %v", request, err)
	}
}

// await waits until the dinas sees the request in the given state.
func (g *regency) await(t *testing.T, id string, ok func(*request.Request) bool) *request.Request {
	return g.awaitAt(t, g.offices[catalog.Dinas], id, ok)
}

func (g *regency) awaitAt(t *testing.T, n *node.Node, id string, ok func(*request.Request) bool) *request.Request {
	t.Helper()
	var got *request.Request
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if q, err := n.Requests.Get(id); err == nil && ok(q) {
			return q
		} else if err == nil {
			got = q
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: request %s never reached the state; last seen %s at %s", n.Member().Office, id, fmt.Sprint(got.Status), got.Holder)
	return nil
}
