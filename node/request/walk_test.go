package request_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/node/stepinput"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/roster"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/testnet"
)

// office is one node of the walk: its store and its request service.
type office struct {
	name  string
	store *store.Store
	svc   *request.Service
	ob    *outbox.Outbox
}

// regency is a dinas, a kecamatan and a mobile unit, sharing one stand-in
// for the dinas cluster's decisions (the real one runs in testnet).
type regency struct {
	t       *testing.T
	offices map[roster.Role]*office
	dinas   *fakeDinas
	clock   *time.Time
}

func newRegency(t *testing.T) *regency {
	now := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	g := &regency{t: t, offices: map[roster.Role]*office{}, dinas: &fakeDinas{decided: map[string]*eventpb.Decision{}}, clock: &now}
	names := map[roster.Role]string{catalog.Dinas: "Dinas Dukcapil", catalog.Kecamatan: "Kecamatan Kota Agung", catalog.Mobile: "Unit Mobile"}
	for kind, name := range names {
		g.offices[kind] = g.open(kind, name)
	}
	return g
}

func (g *regency) now() time.Time { *g.clock = g.clock.Add(time.Minute); return *g.clock }

func (g *regency) open(kind roster.Role, name string) *office {
	priv, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	signer, _ := event.NewSigner(priv)
	st, err := store.Open(store.Options{InMemory: true, Signer: signer, Clock: hlc.NewClock(g.now, time.Hour),
		Folders: map[string]store.Folder{request.Kind: request.Folder{}}, MemTableSize: 16 << 20})
	if err != nil {
		g.t.Fatal(err)
	}
	g.t.Cleanup(func() { st.Close() })
	ob := outbox.New(st.DB(), outbox.LogSender{}, nil)
	o := request.Office{Name: name, Kind: kind, Region: "180601"}
	svc := request.New(st, ob, o, g.dinas, g.now, rand.Reader)
	svc.HandleInput(catalog.InputISOTemplate, stepinput.Capture{})
	svc.HandleInput(catalog.InputPrintedCard, stepinput.PrintRoom{})
	return &office{name: name, store: st, svc: svc, ob: ob}
}

// sync brings every office up to date with every other, as the network or
// a flash-disk bundle would.
func (g *regency) sync() {
	for _, a := range g.offices {
		for _, b := range g.offices {
			if a == b {
				continue
			}
			var evs []*event.Event
			err := a.store.Scan(b.store.Vector(), func(raw []byte) error {
				e, err := event.Unmarshal(raw)
				evs = append(evs, e)
				return err
			})
			if err == nil && len(evs) > 0 {
				_, err = b.store.Verify(evs)
			}
			if err != nil {
				g.t.Fatal(err)
			}
		}
	}
}

// fakeDinas decides every request at once, as a healthy cluster would.
type fakeDinas struct {
	n       uint64
	decided map[string]*eventpb.Decision
}

func (d *fakeDinas) Request(cmd *eventpb.Command) (string, error) {
	d.n++
	key := fmt.Sprintf("keputusan-%d", d.n)
	dec := &eventpb.Decision{Number: d.n, Key: key, Command: cmd}
	switch op := cmd.Op.(type) {
	case *eventpb.Command_AssignNik:
		dec.Nik = fmt.Sprintf("%s0101900%03d", op.AssignNik.Region, d.n)
	case *eventpb.Command_AssignKk:
		dec.Kk = fmt.Sprintf("%s2411260%03d", op.AssignKk.Region, d.n)
	}
	d.decided[key] = dec
	return key, nil
}

func (d *fakeDinas) Decided(key string) (*eventpb.Decision, bool, error) {
	dec, ok := d.decided[key]
	return dec, ok, nil
}

// FindingKey files the dinas's own findings where the real book does.
func (d *fakeDinas) FindingKey(k catalog.Decision, request string) (string, bool) {
	return decision.FindingKey(k, request)
}

// verdict is an officer's verdict on an enrollment, as the dinas files it.
func (d *fakeDinas) verdict(enrollment, verdict, duplicateOf string) {
	d.n++
	d.decided[decision.VerdictKey(enrollment)] = &eventpb.Decision{Number: d.n, Key: fmt.Sprintf("putusan-%d", d.n),
		Command: &eventpb.Command{Op: &eventpb.Command_RecordDedupVerdict{RecordDedupVerdict: &eventpb.RecordDedupVerdict{
			Enrollment: enrollment, Verdict: verdict, DuplicateOfNik: duplicateOf}}}}
}

// warehoused is the DWH feed's confirmation that it holds a request's record.
func (d *fakeDinas) warehoused(request string) {
	d.n++
	d.decided[decision.WarehouseKey(request)] = &eventpb.Decision{Number: d.n, Key: decision.WarehouseKey(request),
		Command: &eventpb.Command{Op: &eventpb.Command_ConfirmWarehouse{ConfirmWarehouse: &eventpb.ConfirmWarehouse{Request: request}}}}
}

// Every service of the catalog, on every path, from the office where it
// starts to Selesai, each step at its office by its role, hand-overs moving
// the file, decisions awaited; offline paths keep the starting office apart
// until its part is done. Every office ends with the same request.
func TestEveryServiceWalksItsSOP(t *testing.T) {
	for _, svc := range catalog.All() {
		for _, path := range svc.Paths {
			t.Run(svc.Name+"/"+path.Name, func(t *testing.T) {
				walk(t, svc, path)
			})
		}
	}
}

func walk(t *testing.T, svc catalog.Service, path catalog.Path) {
	g := newRegency(t)
	start := g.offices[path.Start]
	values := testnet.FormValues(svc.Form)
	r, err := start.svc.Create(request.Form{Service: svc.Name, Path: path.Name, Fields: values, Officer: "Budi", Documents: testnet.Uploads(svc, path.Name, values)})
	if err != nil {
		t.Fatalf("create at %s: %v", path.Start, err)
	}
	verify, _ := path.Verification()
	must(t)(start.svc.Transition(r.ID, request.Disetujui, testnet.Actor(verify), "berkas lengkap", "Budi"))
	if !path.Offline {
		g.sync()
	}
	g.sync() // an offline office's file arrives later, by bundle
	holder := g.holder(r.ID)
	must(t)(holder.svc.Transition(r.ID, request.Diproses, "", "", "Andi"))
	for _, st := range path.Processing() {
		g.sync()
		o := g.offices[st.Office]
		got, err := o.svc.CompleteStep(r.ID, st.Name, testnet.Actor(st), "", "Petugas "+string(st.Role), testnet.StepInputs(st, 1001)...)
		if err != nil {
			t.Fatalf("step %s at %s by %s: %v", st.Name, st.Office, st.Role, err)
		}
		if slices.Contains(st.Waits, catalog.DecisionDedup) {
			g.dinas.verdict(r.ID, "unik", "") // an authorised officer's, as nothing records one by itself
		}
		if slices.Contains(st.Waits, catalog.DecisionDWH) {
			g.dinas.warehoused(r.ID) // the DWH feed's confirmation
		}
		if len(st.Waits) > 0 {
			if err := o.svc.Settle(r.ID); err != nil {
				t.Fatal(err)
			}
			if got, err = o.svc.Get(r.ID); err != nil {
				t.Fatal(err)
			}
		}
		if i := indexOf(got, st.Name); !got.Steps[i].Done {
			t.Fatalf("step %s not done: %+v", st.Name, got.Steps[i])
		}
	}
	g.sync()
	must(t)(g.holder(r.ID).svc.Transition(r.ID, request.Selesai, "", "", "Andi"))
	g.sync()
	g.sameEverywhere(r.ID, len(path.Processing()))
	g.cardNotices(path, r.ID)
}

// cardNotices checks that a path that prints a card tells the resident
// once, from the office where it waits, that it is ready (kartu_siap),
// and that no other path does.
func (g *regency) cardNotices(path catalog.Path, id string) {
	want, printed := 0, false
	for _, st := range path.Processing() {
		printed = printed || slices.Contains(st.Produces, catalog.OutKTPEl)
		if printed && slices.Contains(st.Produces, catalog.OutPemberitahuan) {
			want++
		}
	}
	got := 0
	for _, o := range g.offices {
		ns, err := o.ob.Pending()
		if err != nil {
			g.t.Fatal(err)
		}
		for _, n := range ns {
			if n.Kind == outbox.KindKartuSiap && n.Request == id {
				got++
				if n.Vars[outbox.VarKantor] != o.name || !strings.Contains(n.Text, o.name) {
					g.t.Errorf("card notice from %s: %+v", o.name, n)
				}
			}
		}
	}
	if got != want {
		g.t.Fatalf("%d card-ready notices, want %d", got, want)
	}
}

func (g *regency) holder(id string) *office {
	r, err := g.offices[catalog.Dinas].svc.Get(id)
	if err != nil {
		g.t.Fatal(err)
	}
	return g.offices[roster.Role(r.Holder)]
}

func (g *regency) sameEverywhere(id string, steps int) {
	var first []byte
	for kind, o := range g.offices {
		r, err := o.svc.Get(id)
		if err != nil {
			g.t.Fatalf("%s: %v", kind, err)
		}
		if r.Status != request.Selesai || len(r.Steps) != steps || len(r.History) < 4 || r.InConflict() {
			g.t.Fatalf("%s sees %s, %d steps, %d changes, conflicts %v", kind, r.Status, len(r.Steps), len(r.History), r.Conflicts)
		}
		b, _ := json.Marshal(r)
		if first == nil {
			first = b
		} else if !bytes.Equal(first, b) {
			g.t.Fatalf("%s's request differs:\n%s\n%s", kind, first, b)
		}
	}
}

func indexOf(r *request.Request, step string) int {
	for i, s := range r.Steps {
		if s.Name == step {
			return i
		}
	}
	return -1
}

func must(t *testing.T) func(*request.Request, error) {
	return func(_ *request.Request, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Refused calls say why, in the officer's words, and change nothing.
func TestWorkflowRefusals(t *testing.T) {
	g := newRegency(t)
	kec, dinas := g.offices[catalog.Kecamatan], g.offices[catalog.Dinas]
	svc, _ := catalog.Lookup("ktp-el-pengganti-hilang")
	values := testnet.FormValues(svc.Form)
	form := request.Form{Service: svc.Name, Path: "kecamatan", Fields: values, Officer: "Budi", Documents: testnet.Uploads(svc, "kecamatan", values)}
	r, err := kec.svc.Create(form)
	if err != nil {
		t.Fatal(err)
	}
	bad := func(f func(request.Form) request.Form) request.Form { return f(form) }
	creates := []struct {
		name string
		form request.Form
		want error
	}{
		{"unknown service", bad(func(f request.Form) request.Form { f.Service = "paspor"; return f }), request.ErrInvalid},
		{"path that starts elsewhere", bad(func(f request.Form) request.Form { f.Path = "dinas"; return f }), request.ErrPrecondition},
		{"malformed NIK", bad(func(f request.Form) request.Form {
			f.Fields = clone(values, "nik", "12345")
			return f
		}), request.ErrInvalid},
		{"malformed KK", bad(func(f request.Form) request.Form {
			f.Fields = clone(values, "kk", "18060115081500")
			return f
		}), request.ErrInvalid},
		{"photo too large", bad(func(f request.Form) request.Form {
			f.Documents = []request.Upload{{Name: f.Documents[0].Name, Content: append(testnet.Photo(1), make([]byte, 3<<20)...)}}
			return f
		}), request.ErrInvalid},
		{"malformed phone", bad(func(f request.Form) request.Form {
			f.Fields = clone(values, "whatsapp", "12")
			return f
		}), request.ErrInvalid},
		{"missing police letter", bad(func(f request.Form) request.Form { f.Documents = nil; return f }), request.ErrInvalid},
		{"document not an image", bad(func(f request.Form) request.Form {
			f.Documents = []request.Upload{{Name: f.Documents[0].Name, Content: []byte("%PDF-1.4")}}
			return f
		}), request.ErrInvalid},
	}
	for _, tc := range creates {
		if _, err := kec.svc.Create(tc.form); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := kec.svc.Transition(r.ID, request.Disetujui, "operator-dinas", "", "Budi"); !errors.Is(err, request.ErrPermission) {
		t.Fatalf("approval by the wrong role: %v", err)
	}
	must(t)(kec.svc.Transition(r.ID, request.Disetujui, "petugas-pendukung-pelayanan", "", "Budi"))
	if _, err := kec.svc.Transition(r.ID, request.Diproses, "", "", "Budi"); !errors.Is(err, request.ErrPrecondition) {
		t.Fatalf("processing at the kecamatan after the file went to the dinas: %v", err)
	}
	g.sync()
	must(t)(dinas.svc.Transition(r.ID, request.Diproses, "", "", "Andi"))
	path, _ := svc.Path("kecamatan")
	steps := path.Processing()
	before := dinas.store.Vector().Total()
	calls := []struct {
		name       string
		o          *office
		step, role string
		want       error
	}{
		{"a later step first", dinas, steps[2].Name, string(steps[2].Role), request.ErrPrecondition},
		{"the wrong role", dinas, steps[0].Name, "kasi-data", request.ErrPermission},
		{"the wrong office", kec, steps[0].Name, string(steps[0].Role), request.ErrPrecondition},
		{"an unknown step", dinas, "cetak-paspor", string(steps[0].Role), request.ErrInvalid},
	}
	for _, tc := range calls {
		if _, err := tc.o.svc.CompleteStep(r.ID, tc.step, tc.role, "", "Andi"); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if after := dinas.store.Vector().Total(); after != before {
		t.Fatalf("refused steps stored %d events", after-before)
	}
	lists := []struct {
		f    request.Filter
		want int
	}{
		{request.Filter{Holder: "dinas", Step: steps[0].Name}, 1},
		{request.Filter{Office: kec.name, Service: svc.Name}, 1},
		{request.Filter{Holder: "kecamatan"}, 0},
		{request.Filter{Step: steps[1].Name}, 0},
		{request.Filter{Service: "sinkronisasi-data"}, 0},
	}
	for _, tc := range lists {
		if got, err := dinas.svc.List(tc.f); err != nil || len(got) != tc.want {
			t.Errorf("List(%+v) = %d requests, %v; want %d", tc.f, len(got), err, tc.want)
		}
	}
}

func clone(m map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

// A date that is not a date, or lies in the future, is refused with the
// field's name.
func TestWorkflowRefusesBadDates(t *testing.T) {
	g := newRegency(t)
	svc, _ := catalog.Lookup("ktp-el-baru")
	for _, date := range []string{"17-13-1990", "kemarin", "2099-01-01"} {
		values := testnet.FormValues(svc.Form)
		values["tanggal_lahir"] = date
		_, err := g.offices[catalog.Kecamatan].svc.Create(request.Form{Service: svc.Name, Path: "online", Fields: values,
			Officer: "Budi", Documents: testnet.Uploads(svc, "online", values)})
		if !errors.Is(err, request.ErrInvalid) || !strings.Contains(err.Error(), "Tanggal Lahir") {
			t.Errorf("date %q: %v", date, err)
		}
	}
}

// A recording step that waits for the dinas's duplicate check waits until
// an authorised officer records a verdict: nothing records one by itself.
// Unik lets the request go on; duplikat stops the step, naming the match.
func TestDedupStepWaitsForARecordedVerdict(t *testing.T) {
	for _, tt := range []struct {
		verdict, duplicateOf string
		done                 bool
		result               string
	}{
		{"unik", "", true, "unik"},
		{"duplikat", "1806015708900001", false, "ditolak: perekaman ganda dengan NIK 1806015708900001"},
	} {
		t.Run(tt.verdict, func(t *testing.T) {
			g := newRegency(t)
			kec := g.offices[catalog.Kecamatan]
			svc, _ := catalog.Lookup("perekaman-ktp-el")
			path, _ := svc.Path("statis-online")
			values := testnet.FormValues(svc.Form)
			r := must2(t)(kec.svc.Create(request.Form{Service: svc.Name, Path: path.Name, Fields: values, Officer: "Budi", Documents: testnet.Uploads(svc, path.Name, values)}))
			verify, _ := path.Verification()
			must(t)(kec.svc.Transition(r.ID, request.Disetujui, testnet.Actor(verify), "berkas lengkap", "Budi"))
			must(t)(kec.svc.Transition(r.ID, request.Diproses, "", "", "Andi"))
			var dedup catalog.Step
			for _, st := range path.Processing() {
				if _, err := kec.svc.CompleteStep(r.ID, st.Name, testnet.Actor(st), "", "Petugas", testnet.StepInputs(st, 1)...); err != nil {
					t.Fatalf("step %s: %v", st.Name, err)
				}
				if slices.Contains(st.Waits, catalog.DecisionDedup) {
					dedup = st
					break
				}
			}
			if err := kec.svc.Settle(r.ID); err != nil {
				t.Fatal(err)
			}
			got := must2(t)(kec.svc.Get(r.ID))
			if st := got.Steps[indexOf(got, dedup.Name)]; !st.Waiting || st.Done {
				t.Fatalf("without a verdict the step is %+v, want waiting", st)
			}
			_, err := kec.svc.CompleteStep(r.ID, dedup.Name, testnet.Actor(dedup), "", "Petugas", testnet.StepInputs(dedup, 1)...)
			if !errors.Is(err, request.ErrPrecondition) || !strings.Contains(err.Error(), "perekaman ganda") {
				t.Fatalf("recording the waiting step again: %v, want it to say it waits for the verdict", err)
			}
			g.dinas.verdict(r.ID, tt.verdict, tt.duplicateOf)
			if err := kec.svc.Settle(r.ID); err != nil {
				t.Fatal(err)
			}
			got = must2(t)(kec.svc.Get(r.ID))
			st := got.Steps[indexOf(got, dedup.Name)]
			if st.Done != tt.done || st.Waiting || st.Result != tt.result {
				t.Fatalf("after a %s verdict the step is done=%v waiting=%v result %q, want done=%v result %q",
					tt.verdict, st.Done, st.Waiting, st.Result, tt.done, tt.result)
			}
		})
	}
}

func must2(t *testing.T) func(*request.Request, error) *request.Request {
	return func(r *request.Request, err error) *request.Request {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// A request belongs to the counter that took it until its file goes to
// the dinas: an officer at another kecamatan may neither approve, cancel
// nor record its steps, and the refusal changes nothing. Once the file is
// at the dinas, the dinas moves it.
func TestAnotherKecamatanCannotChangeARequest(t *testing.T) {
	g := newRegency(t)
	g.offices["pugung"] = g.open(catalog.Kecamatan, "Kecamatan Pugung")
	kec, other := g.offices[catalog.Kecamatan], g.offices["pugung"]
	svc, _ := catalog.Lookup("sinkronisasi-data")
	values := testnet.FormValues(svc.Form)
	r := must2(t)(kec.svc.Create(request.Form{Service: svc.Name, Path: "kecamatan", Fields: values, Officer: "Budi", Documents: testnet.Uploads(svc, "kecamatan", values)}))
	g.sync()
	path, _ := svc.Path("kecamatan")
	verify, _ := path.Verification()
	for _, to := range []request.Status{request.Disetujui, request.Dibatalkan} {
		_, err := other.svc.Transition(r.ID, to, testnet.Actor(verify), "berkas tidak lengkap", "Sari")
		if !errors.Is(err, request.ErrPermission) || !strings.Contains(err.Error(), "Kecamatan Kota Agung") {
			t.Fatalf("%s at another kecamatan: %v, want a refusal naming the office that took it", to, err)
		}
	}
	if got := must2(t)(other.svc.Get(r.ID)); got.Status != request.Baru || len(got.History) != 1 {
		t.Fatalf("a refused change changed the request: %s, %d changes", got.Status, len(got.History))
	}
	must(t)(kec.svc.Transition(r.ID, request.Disetujui, testnet.Actor(verify), "berkas lengkap", "Budi"))
	g.sync()
	if _, err := other.svc.Transition(r.ID, request.Dibatalkan, "", "salah kantor", "Sari"); !errors.Is(err, request.ErrPermission) && !errors.Is(err, request.ErrPrecondition) {
		t.Fatalf("cancel an approved request at another kecamatan: %v, want refused", err)
	}
}
