package lab

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/testnet/printroom"
)

// Result is one invariant's verdict.
type Result struct {
	Name   string
	OK     bool
	Detail string
}

// WaitConverged waits until every office answers with the same version
// vector, and reports how long that took.
func WaitConverged(ctx context.Context, l *Lab, patience time.Duration) (time.Duration, error) {
	start := time.Now()
	err := poll(ctx, patience, func() error {
		snap, err := TakeSnapshot(ctx, l, false)
		if err != nil {
			return err
		}
		return sameVectors(snap)
	})
	return time.Since(start), err
}

func sameVectors(snap *Snapshot) error {
	u := snap.Union()
	for _, o := range snap.Offices {
		if o.Err != "" {
			return fmt.Errorf("%s does not answer: %s", o.Name, o.Err)
		}
		if b := snap.Behind(o.Name); b > 0 || len(o.Vector) != len(u) {
			return fmt.Errorf("%s lacks %d events", o.Name, b)
		}
	}
	return nil
}

// Check tests every invariant over the API. Call it once faults have
// healed and WaitConverged has returned.
func Check(ctx context.Context, l *Lab, g *Ledger) []Result {
	var out []Result
	snap, err := TakeSnapshot(ctx, l, true)
	if err != nil {
		return []Result{{Name: "snapshot", Detail: err.Error()}}
	}
	out = append(out, checkConverged(snap), checkRoster(l, snap))
	views, err := allRequests(ctx, l)
	if err != nil {
		return append(out, Result{Name: "tulisan-diakui", Detail: err.Error()})
	}
	out = append(out, checkAcked(g, views), checkDecided(g, views), checkConflicts(g, views))
	return append(out, checkNIKs(ctx, l, g), checkCards(ctx, l, g))
}

func result(name string, problems []string, okDetail string) Result {
	if len(problems) == 0 {
		return Result{Name: name, OK: true, Detail: okDetail}
	}
	d := strings.Join(problems[:min(5, len(problems))], "; ")
	if len(problems) > 5 {
		d += fmt.Sprintf("; … (%d in all)", len(problems))
	}
	return Result{Name: name, Detail: d}
}

// checkConverged: the same events and the same state everywhere.
func checkConverged(snap *Snapshot) Result {
	var probs []string
	if err := sameVectors(snap); err != nil {
		probs = append(probs, err.Error())
	}
	first := snap.Offices[0]
	for _, o := range snap.Offices[1:] {
		if !bytes.Equal(o.StateHash, first.StateHash) {
			probs = append(probs, fmt.Sprintf("%s state %x ≠ %s state %x", o.Name, o.StateHash[:min(6, len(o.StateHash))], first.Name, first.StateHash[:min(6, len(first.StateHash))]))
		}
	}
	return result("konvergen", probs, fmt.Sprintf("%d kantor, %d event, hash %x", len(snap.Offices), first.Events, first.StateHash[:min(6, len(first.StateHash))]))
}

// checkRoster: every origin in every vector is a roster member or the
// dinas cluster key.
func checkRoster(l *Lab, snap *Snapshot) Result {
	allowed := map[string]bool{l.State.Cluster: true}
	for _, o := range l.State.Offices {
		allowed[o.Peer] = true
	}
	var probs []string
	for _, o := range snap.Offices {
		for origin := range o.Vector {
			if !allowed[origin] {
				probs = append(probs, fmt.Sprintf("%s holds events of %s, outside the roster", o.Name, origin))
			}
		}
	}
	return result("roster", probs, "semua asal event ada di roster")
}

// allRequests reads every request at every office.
func allRequests(ctx context.Context, l *Lab) (map[string]map[string]*v1.Request, error) {
	out := map[string]map[string]*v1.Request{}
	for _, o := range l.State.Offices {
		c, err := l.Admin(o.Name)
		if err != nil {
			return nil, err
		}
		rs, err := list(ctx, c, v1.Status_STATUS_UNSPECIFIED, "")
		if err != nil {
			return nil, fmt.Errorf("list requests at %s: %w", o.Name, err)
		}
		m := make(map[string]*v1.Request, len(rs))
		for _, r := range rs {
			m[r.Id] = r
		}
		out[o.Name] = m
	}
	return out, nil
}

// checkAcked: every acknowledged request, with every acknowledged change,
// at every office.
func checkAcked(g *Ledger, views map[string]map[string]*v1.Request) Result {
	var probs []string
	acked := g.Requests()
	changes := 0
	for _, a := range acked {
		changes += len(a.Changes)
		for office, view := range views {
			r, ok := view[a.ID]
			if !ok {
				probs = append(probs, fmt.Sprintf("request %s (from %s) missing at %s", a.ID, a.Office, office))
				continue
			}
			for _, ch := range a.Changes {
				if !applied(r, ch) {
					probs = append(probs, fmt.Sprintf("%s of %s missing at %s", ch, a.ID, office))
				}
			}
		}
	}
	return result("tulisan-diakui", probs, fmt.Sprintf("%d permohonan, %d perubahan, di %d kantor", len(acked), changes, len(views)))
}

// applied reports whether a request shows an acknowledged change.
func applied(r *v1.Request, change string) bool {
	kind, what, _ := strings.Cut(change, ":")
	if kind == "step" {
		return slices.ContainsFunc(r.Steps, func(s *v1.Step) bool { return s.Name == what && (s.Done || s.Waiting) })
	}
	want := v1.Status(v1.Status_value["STATUS_"+strings.ToUpper(what)])
	return slices.ContainsFunc(r.History, func(h *v1.StatusChange) bool { return h.Status == want })
}

// checkDecided: no step waits for a dinas decision any more, and every
// request neither cancelled nor in conflict is finished.
func checkDecided(g *Ledger, views map[string]map[string]*v1.Request) Result {
	var probs []string
	warehouse := map[string]bool{}
	for office, view := range views {
		for _, r := range view {
			for _, s := range r.Steps {
				switch {
				case awaitsWarehouse(s):
					warehouse[r.Id] = true
				case s.Waiting:
					probs = append(probs, fmt.Sprintf("%s at %s still waits for %v", r.Id, office, s.DecisionKeys))
				}
			}
		}
	}
	if n := g.Pending(); n > 0 {
		probs = append(probs, fmt.Sprintf("%d acknowledged requests not finished", n))
	}
	return result("keputusan-tuntas", probs, fmt.Sprintf("tidak ada langkah menunggu keputusan Dinas; semua permohonan selesai, batal, "+
		"atau (%d) menunggu konfirmasi gudang data, yang tidak dijalankan lab ini", len(warehouse)))
}

// checkConflicts: a request edited at two offices at once shows the
// conflict at every office.
func checkConflicts(g *Ledger, views map[string]map[string]*v1.Request) Result {
	ids := g.Conflicts()
	var probs []string
	for _, id := range ids {
		for office, view := range views {
			if r, ok := view[id]; ok && !r.Conflict {
				probs = append(probs, fmt.Sprintf("concurrent edits of %s not shown as a conflict at %s", id, office))
			}
		}
	}
	return result("konflik-terlihat", probs, fmt.Sprintf("%d suntingan bersamaan, tampil sebagai konflik di semua kantor", len(ids)))
}

// checkNIKs: no NIK went to two residents, and the dinas's linearizable
// lookup names the resident each went to.
func checkNIKs(ctx context.Context, l *Lab, g *Ledger) Result {
	niks := g.NIKs()
	var probs []string
	c, err := l.Officer(l.State.Dinas()[0].Name, opDinas)
	if err != nil {
		return Result{Name: "nik-unik", Detail: err.Error()}
	}
	for nik, subjects := range niks {
		if len(subjects) > 1 {
			probs = append(probs, fmt.Sprintf("NIK %s given to %v", nik, subjects))
			continue
		}
		var r *connect.Response[v1.LookupNIKResponse]
		err := retry(ctx, func(ctx context.Context) error {
			var err error
			r, err = c.Decision.LookupNIK(ctx, connect.NewRequest(&v1.LookupNIKRequest{Nik: nik}))
			return err
		})
		if err != nil {
			probs = append(probs, fmt.Sprintf("lookup %s: %v", nik, err))
		} else if !r.Msg.Found || r.Msg.Subject != subjects[0] {
			probs = append(probs, fmt.Sprintf("NIK %s: dinas says %q (found %v), office gave it to %q", nik, r.Msg.Subject, r.Msg.Found, subjects[0]))
		}
	}
	return result("nik-unik", probs, fmt.Sprintf("%d NIK (lease kecamatan, ruang cetak dinas), masing-masing satu penduduk, tercatat di dinas", len(niks)))
}

// checkCards: no blank printed twice; per NIK the acknowledged cards form
// one chain of replacements with exactly one card not revoked, which every
// dinas server names active (a revoked card is never active again); every
// acknowledged card's decision, as acknowledged, at every office; and
// nothing the print room saw go wrong while printing.
func checkCards(ctx context.Context, l *Lab, g *Ledger) Result {
	cards := g.Cards()
	active, revoked, probs := printroom.Chains(cards)
	probs = append(g.CardProblems(), probs...)
	dinas, err := officers(l, l.State.Dinas(), opDinas)
	if err != nil {
		return Result{Name: "satu-kartu-aktif", Detail: err.Error()}
	}
	probs = append(probs, checkActiveCards(ctx, dinas, active, revoked)...)
	everywhere, err := officers(l, l.State.Offices, adminUser)
	if err != nil {
		return Result{Name: "satu-kartu-aktif", Detail: err.Error()}
	}
	probs = append(probs, checkCardDecisions(ctx, everywhere, cards)...)
	replaced := 0
	for _, c := range cards {
		if c.Revoked != 0 {
			replaced++
		}
	}
	return result("satu-kartu-aktif", probs, fmt.Sprintf("%d kartu (%d pengganti) untuk %d NIK, satu aktif per NIK di %d server dinas, tercatat di %d kantor",
		len(cards), replaced, len(active), len(dinas), len(everywhere)))
}

// officers signs user in at each office.
func officers(l *Lab, offices []Office, user string) ([]*Client, error) {
	var out []*Client
	for _, o := range offices {
		c, err := l.Officer(o.Name, user)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// checkActiveCards: every dinas server names each NIK's active card, and
// never a revoked one.
func checkActiveCards(ctx context.Context, dinas []*Client, active map[string]uint64, revoked map[uint64]bool) []string {
	var probs []string
	for _, nik := range slices.Sorted(maps.Keys(active)) {
		for _, c := range dinas {
			var got uint64
			err := retry(ctx, func(ctx context.Context) error {
				r, err := c.Decision.GetActiveCard(ctx, connect.NewRequest(&v1.GetActiveCardRequest{Nik: nik}))
				if err == nil {
					got = r.Msg.BlankSerial
				}
				return err
			})
			switch {
			case err != nil:
				probs = append(probs, fmt.Sprintf("active card of %s at %s: %v", nik, c.Office.Name, err))
			case revoked[got]:
				probs = append(probs, fmt.Sprintf("revoked card %d of %s is active again at %s", got, nik, c.Office.Name))
			case got != active[nik]:
				probs = append(probs, fmt.Sprintf("active card of %s at %s is %d, want %d", nik, c.Office.Name, got, active[nik]))
			}
		}
	}
	return probs
}

// checkCardDecisions: every office's replica holds each acknowledged
// card's decision as the dinas acknowledged it.
func checkCardDecisions(ctx context.Context, offices []*Client, cards []printroom.Card) []string {
	var probs []string
	for _, card := range cards {
		for _, c := range offices {
			var d *v1.Decision
			err := retry(ctx, func(ctx context.Context) error {
				r, err := c.Decision.GetDecision(ctx, connect.NewRequest(&v1.GetDecisionRequest{Key: card.Key}))
				if err == nil {
					d = r.Msg.Decision
				}
				return err
			})
			switch {
			case err != nil:
				probs = append(probs, fmt.Sprintf("card %s (%d for %s) at %s: %v", card.Key, card.Serial, card.NIK, c.Office.Name, err))
			case d.GetNik() != card.NIK || d.GetSerialFrom() != card.Serial || d.GetRevokedCard() != card.Revoked || d.GetRefused() != "":
				probs = append(probs, fmt.Sprintf("card %s at %s: NIK %s blank %d revoking %d (refused %q), acknowledged %s %d revoking %d",
					card.Key, c.Office.Name, d.GetNik(), d.GetSerialFrom(), d.GetRevokedCard(), d.GetRefused(), card.NIK, card.Serial, card.Revoked))
			}
		}
	}
	return probs
}
