package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/dwh"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/institution"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/consensus"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// DWHConfig is the [dwh] table: the regency's data warehouse, which the
// dinas leader feeds (node/dwh). Without a DSN there is no feed.
type DWHConfig struct {
	DSN string `toml:"dsn,omitempty"` // e.g. postgres://sinkron@db.dinas/dwh
}

// InstitusiConfig is the [institusi] table: the listener registered
// institutions check NIKs on (api.NewInstitutionHandler), on a dinas
// server with [dwh].
type InstitusiConfig struct {
	Listen string `toml:"listen,omitempty"` // e.g. 0.0.0.0:8443
	// Cert and Key (PEM) are the listener's own TLS certificate; with them
	// it asks institutions for client certificates (api.InstitutionTLS).
	// Without them it uses tls_cert_file and tls_key_file, likewise.
	Cert string `toml:"cert,omitempty"`
	Key  string `toml:"key,omitempty"`
	// CA (PEM bundle), optional: a client certificate must chain to one of
	// these CAs as well as be registered to an institution.
	CA string `toml:"ca,omitempty"`
}

// warehouse is a dinas server's side of the DWH: the feed, and the
// institutions' checks, which read it.
type warehouse struct {
	pool   *pgxpool.Pool
	feeder *dwh.Feeder
	inst   *institution.Service
	// rescanned is when the feed last looked for requests to confirm;
	// only the feeder's goroutine touches it.
	rescanned time.Time
}

// startWarehouse feeds the DWH from this dinas server while it leads the
// Raft group. PostgreSQL down at start is not fatal: the feed migrates and
// resumes when it can reach the database.
func (n *Node) startWarehouse(ctx context.Context) error {
	if n.dinas == nil || n.cfg.DWH.DSN == "" {
		return nil
	}
	pc, err := pgxpool.ParseConfig(n.cfg.DWH.DSN)
	if err != nil {
		return fmt.Errorf("[dwh] dsn: %w", err)
	}
	if !strings.Contains(n.cfg.DWH.DSN, "pool_max_conns") {
		pc.MaxConns = 16 // the feed, the audit writer and the institutions' batched reads (BENCHMARKS.md)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return fmt.Errorf("[dwh] dsn: %w", err)
	}
	sink := dwh.NewSink(pool, n.self.Office+" "+n.ID().String(), 0)
	src := &dwhSource{n: n}
	f := dwh.NewFeeder(sink, src, raftLeader{n.dinas.cluster}, dwh.FeederOptions{
		Now: n.now, Log: n.log.With("part", "dwh"), Interval: time.Second,
		Prepare: func(ctx context.Context) error { return dwh.Migrate(ctx, pool) },
		Applied: n.warehoused,
	})
	inst := institution.NewService(pool, institution.Options{Now: n.now, Rand: n.rand, Log: n.log.With("part", "institusi"),
		Opener: n.openSyncForInstitution})
	n.dwh = &warehouse{pool: pool, feeder: f, inst: inst}
	n.registry.MustRegister(dwhCollector{f})
	n.wg.Go(func() { f.Run(ctx) })
	return nil
}

func (w *warehouse) close() {
	if w != nil {
		w.inst.Close()
		w.pool.Close()
	}
}

// Institutions is the NIK check for institutions, or nil without [dwh].
func (n *Node) Institutions() *institution.Service {
	if n.dwh == nil {
		return nil
	}
	return n.dwh.inst
}

// openSyncForInstitution opens a Sinkronisasi Data request at the dinas for
// a resident an institution could not find; the resident follows it by
// WhatsApp like any other.
func (n *Node) openSyncForInstitution(f institution.SyncForm, name string) (string, error) {
	form := request.Form{ApplicantName: f.Nama, NIK: f.NIK, KK: f.KK, WhatsApp: f.WhatsApp,
		Problem: f.Problem, Channel: 2, Officer: "Instansi " + name}
	for _, d := range f.Documents {
		form.Documents = append(form.Documents, request.Upload{Name: d.Name, Kind: d.Kind, Content: d.Content})
	}
	r, err := n.Requests.Create(form)
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// DWHStatus is the feed as this server sees it, or nil without a [dwh].
func (n *Node) DWHStatus() *dwh.Status {
	if n.dwh == nil {
		return nil
	}
	st := n.dwh.feeder.Status()
	return &st
}

// raftLeader lets the feed run on the Raft leader under its term.
type raftLeader struct{ c *consensus.Cluster }

func (l raftLeader) Leading() (uint64, bool) {
	return l.c.Raft().CurrentTerm(), l.c.IsLeader()
}

// dwhSource reads the warehouse's changes from this dinas server: decisions
// from the decision machine, registry and request state from the store.
type dwhSource struct{ n *Node }

var errScanFull = errors.New("batch full")

func (s *dwhSource) Decisions() uint64 {
	_, d := s.n.dinas.fsm.Counts()
	return d
}

// After returns decisions after the checkpoint, then the events the
// checkpoint's vector lacks in arrival (causal) order. Each change carries
// the whole current rows of what its event touched, so any order of
// applying them converges on the registry's state.
func (s *dwhSource) After(ctx context.Context, cp dwh.Checkpoint, max int) ([]dwh.Change, error) {
	var out []dwh.Change
	from, total := cp[dwh.StreamDecisions]+1, s.Decisions()
	if from <= total {
		to := min(total, from+uint64(max/2))
		ds, err := s.n.dinas.fsm.Decisions(from, to)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			out = append(out, s.n.decisionChange(d))
		}
	}
	since := vv.Vector{}
	for stream, seq := range cp {
		if id, err := peer.Decode(stream); err == nil {
			since[id] = seq
		}
	}
	err := s.n.store.Scan(since, func(raw []byte) error {
		if len(out) >= max {
			return errScanFull
		}
		e, err := event.Unmarshal(raw)
		if err != nil {
			return err
		}
		c, err := s.n.eventChange(e)
		if err != nil {
			return err
		}
		out = append(out, c)
		return ctx.Err()
	})
	if err != nil && !errors.Is(err, errScanFull) {
		return nil, err
	}
	return out, nil
}

// decisionChange is the warehouse's row a decision writes, if any.
func (n *Node) decisionChange(d *eventpb.Decision) dwh.Change {
	at := time.UnixMilli(d.TimeMs).UTC()
	c := dwh.Change{Pos: dwh.Position{Stream: dwh.StreamDecisions, Seq: d.Number}, At: at}
	if d.Refused != "" {
		return c
	}
	cmd := d.GetCommand()
	nik := d.Nik
	switch {
	case cmd.GetConsolidateChange() != nil:
		if nik == "" {
			nik = cmd.GetConsolidateChange().Nik
		}
		c.State = &dwh.State{NIK: nik, State: dwh.StateConsolidated, Since: at}
	case cmd.GetAssignNik() != nil || cmd.GetConfirmNik() != nil:
		// The dinas gave or accepted the NIK: its record is the dinas's.
		c.State = &dwh.State{NIK: nik, State: dwh.StateConsolidated, Since: at}
	case cmd.GetIssueCard() != nil:
		ic := cmd.GetIssueCard()
		if nik == "" {
			nik = ic.Nik
		}
		c.Card = &dwh.Card{NIK: nik, Serial: ic.BlankSerial, IssuedAt: at}
	case cmd.GetRecordDedupVerdict() != nil:
		// A verdict names an enrollment (a request); its NIK, when it has
		// one, is the one whose state changes.
		v := cmd.GetRecordDedupVerdict()
		r, err := n.Requests.Get(v.Enrollment)
		if err != nil || r.NIK == "" {
			return c
		}
		state := dwh.StateAdjudication
		if v.Verdict != "adjudikasi" {
			state = dwh.StateConsolidated
		}
		c.State = &dwh.State{NIK: r.NIK, State: state, Since: at}
	}
	if c.State != nil && c.State.NIK == "" {
		c.State = nil
	}
	return c
}

// eventChange is the warehouse's rows an event touches, as they are now.
func (n *Node) eventChange(e *event.Event) (dwh.Change, error) {
	c := dwh.Change{Pos: dwh.Position{Stream: e.Origin.String(), Seq: e.Seq}, At: e.Time.Time().UTC()}
	var err error
	switch e.Kind {
	case registry.KindResident:
		var r *registry.Resident
		if r, err = n.Residents.Resident(e.Entity); err == nil {
			c.Resident = &dwh.Resident{NIK: r.NIK, Nama: r.NamaLengkap, TempatLahir: r.TempatLahir,
				TanggalLahir: r.TanggalLahir, JenisKelamin: r.JenisKelamin, NamaIbu: r.NamaIbu, Office: r.Office, UpdatedAt: r.UpdatedAt}
		}
	case registry.KindFamily:
		var f *registry.Family
		if f, err = n.Residents.Family(e.Entity); err == nil {
			c.Family = familyRow(f)
		}
	case request.Kind:
		var r *request.Request
		if r, err = n.Requests.Get(e.Entity); err == nil {
			c.Pending = n.pendingRow(r)
		}
	}
	if errors.Is(err, registry.ErrNotFound) || errors.Is(err, request.ErrNotFound) {
		err = nil // folded away (e.g. an event whose entity is in conflict): nothing to write
	}
	return c, err
}

func familyRow(f *registry.Family) *dwh.Family {
	a := f.Address
	row := &dwh.Family{KK: f.KK, Kepala: f.Head, UpdatedAt: f.UpdatedAt,
		Alamat: strings.Join([]string{a.Alamat, "RT " + a.RT, "RW " + a.RW, a.DesaKelurahan, a.Kecamatan, a.KabupatenKota}, ", ")}
	for _, m := range f.Members {
		row.Members = append(row.Members, dwh.Member{NIK: m.NIK, Hubungan: m.Hubungan})
	}
	return row
}

// pendingRow says where an open request naming a NIK is held.
func (n *Node) pendingRow(r *request.Request) *dwh.Pending {
	if r.NIK == "" {
		return nil
	}
	p := &dwh.Pending{Request: r.ID, NIK: r.NIK, Office: r.Office, State: dwh.StatePending, Since: r.CreatedAt}
	switch {
	case r.Status == request.Selesai || r.Status == request.Dibatalkan:
		p.Done = true
	case r.Holder == string(catalog.Dinas):
		p.State, p.Office = dwh.StateAwaiting, "Dinas"
	}
	return p
}

// warehoused runs after each round of the feed on the leader: it confirms
// to every request whose "Sinkronisasi DWH" step waits for the warehouse
// that the warehouse now holds its consolidated record. It rescans instead
// of reacting to one batch, so a leader elected just after a batch
// committed confirms it too; the key (decision.WarehouseKey) makes a
// repeated proposal decide nothing new.
func (n *Node) warehoused(ctx context.Context, changes []dwh.Change, cp dwh.Checkpoint) {
	// Listing the open requests costs a scan of them: do it when a batch
	// brought a consolidation, else at most once a second.
	consolidated := slices.ContainsFunc(changes, func(c dwh.Change) bool {
		return c.State != nil && c.State.State == dwh.StateConsolidated
	})
	if now := n.now(); consolidated || now.Sub(n.dwh.rescanned) >= time.Second {
		n.dwh.rescanned = now
	} else {
		return
	}
	// Every dinas server's requests: the step may have been recorded at
	// another server than the one leading now.
	waiting, err := n.Requests.WaitingFor(decision.WarehouseKey(""))
	if err != nil {
		n.log.Warn("dwh: waiting requests", "err", err)
		return
	}
	for key, id := range waiting {
		if _, done, _ := n.Decisions.Decided(key); done {
			_ = n.Requests.Settle(id) // confirmed before; recorded where it waits
			continue
		}
		if err := n.confirmWarehoused(ctx, key, id, cp); err != nil {
			n.log.Warn("dwh: confirm", "request", id, "err", err)
		}
	}
}

// confirmWarehoused proposes the warehouse's confirmation for one request
// once the warehouse holds its consolidation decision and the resident.
func (n *Node) confirmWarehoused(ctx context.Context, key, id string, cp dwh.Checkpoint) error {
	r, err := n.Requests.Get(id)
	if err != nil {
		return err
	}
	number, nik := n.consolidationOf(r)
	if number == 0 || number > cp[dwh.StreamDecisions] {
		return nil // not consolidated, or not yet in the warehouse
	}
	var held bool
	if err := n.dwh.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM residents WHERE nik = $1)`, nik).Scan(&held); err != nil || !held {
		return err
	}
	cmd := &eventpb.Command{Key: key, TimeMs: n.now().UnixMilli(), Actor: &eventpb.Actor{Officer: "DWH", Office: n.self.Office},
		Op: &eventpb.Command_ConfirmWarehouse{ConfirmWarehouse: &eventpb.ConfirmWarehouse{Request: id, Nik: nik, Consolidation: number}}}
	_, err = n.Decisions.Decide(ctx, cmd)
	return err
}

// consolidationOf finds the consolidation decision a request's steps
// received or await: its number and NIK.
func (n *Node) consolidationOf(r *request.Request) (uint64, string) {
	if d, ok := r.Decided(catalog.DecisionKonsolidasi); ok {
		return d.Number, first(d.NIK, r.NIK)
	}
	for _, st := range r.Steps {
		for _, key := range st.Awaiting {
			d, ok, err := n.Decisions.Decided(key)
			if err == nil && ok && d.Refused == "" && d.GetCommand().GetConsolidateChange() != nil {
				return d.Number, first(d.Nik, r.NIK)
			}
		}
	}
	return 0, ""
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Text of the last steps of a request the warehouse confirmed.
const warehousedNote = "Data Anda sudah sinkron di DWH dan sudah dapat dibaca oleh lembaga pengguna data kependudukan."

// finishWarehoused ends a request whose "Sinkronisasi DWH" step the
// warehouse's confirmation completed: the steps after it (informing the
// applicant) and the request itself complete by themselves, and the
// status change queues the resident's WhatsApp notice.
func (n *Node) finishWarehoused(r *request.Request, st request.Step) {
	confirmed := false
	for _, d := range st.Decisions {
		confirmed = confirmed || d.Kind == string(catalog.DecisionDWH)
	}
	if !confirmed || !st.Done {
		return
	}
	const by = "Sinkron (DWH)"
	cur, err := n.Requests.Get(r.ID)
	for range len(r.Steps) { // each pass completes one step, or stops
		if err != nil {
			break
		}
		next := cur.AtStep()
		i := slices.IndexFunc(cur.Steps, func(s request.Step) bool { return s.Name == next })
		if i < 0 {
			break
		}
		cur, err = n.Requests.CompleteStep(cur.ID, next, cur.Steps[i].Role, warehousedNote, by)
	}
	if err == nil {
		_, err = n.Requests.Transition(r.ID, request.Selesai, "", warehousedNote, by)
	}
	if err != nil {
		n.log.Warn("dwh: finish request", "request", r.ID, "err", err)
	}
}

var (
	descDWHLeading = prometheus.NewDesc("sinkron_dwh_feeding", "1 while this dinas server feeds the DWH (the Raft leader).", nil, nil)
	descDWHLagN    = prometheus.NewDesc("sinkron_dwh_lag_decisions", "Decisions not yet in the DWH.", nil, nil)
	descDWHLagS    = prometheus.NewDesc("sinkron_dwh_lag_seconds", "Age of the oldest decision not yet in the DWH.", nil, nil)
	descDWHApplied = prometheus.NewDesc("sinkron_dwh_changes_written_total", "Changes this server wrote to the DWH.", nil, nil)
	descDWHError   = prometheus.NewDesc("sinkron_dwh_failing", "1 while the last attempt to write the DWH failed.", nil, nil)
)

// dwhCollector exposes the feed's lag at scrape time.
type dwhCollector struct{ f *dwh.Feeder }

func (dwhCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descDWHLeading, descDWHLagN, descDWHLagS, descDWHApplied, descDWHError} {
		ch <- d
	}
}

func (c dwhCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.f.Status()
	ch <- prometheus.MustNewConstMetric(descDWHLeading, prometheus.GaugeValue, b2f(st.Leading))
	ch <- prometheus.MustNewConstMetric(descDWHLagN, prometheus.GaugeValue, float64(st.LagDecisions()))
	ch <- prometheus.MustNewConstMetric(descDWHLagS, prometheus.GaugeValue, st.LagSeconds)
	ch <- prometheus.MustNewConstMetric(descDWHApplied, prometheus.CounterValue, float64(st.Applied))
	ch <- prometheus.MustNewConstMetric(descDWHError, prometheus.GaugeValue, b2f(st.LastError != ""))
}
