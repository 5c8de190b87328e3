package request

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
)

// fileDecisions asks the dinas for each decision the step waits for,
// through the replicated log (so it works offline too), and returns the
// keys the step awaits. The step completes when every decision has come
// back (Settle). A duplicate-check verdict is not asked for: it is the
// dinas's finding on the recording, recorded by an authorised officer (or
// the 1:N search) under the enrollment's verdict key, and the step waits
// for it there.
func (s *Service) fileDecisions(r *Request, def StepDef, inputs takenInputs) ([]string, error) {
	if len(def.Waits) == 0 {
		return nil, nil
	}
	if s.decisions == nil {
		return nil, fmt.Errorf("%w: node ini tidak dapat meminta keputusan Dinas", ErrPrecondition)
	}
	var cmds []*eventpb.Command
	var findings []string
	for _, w := range def.Waits {
		if key, ok := s.decisions.FindingKey(catalog.Decision(w), r.ID); ok {
			findings = append(findings, key) // filed by the dinas itself, not asked for
			continue
		}
		cmd, err := command(r, catalog.Decision(w), inputs)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, cmd)
	}
	var keys []string
	for _, cmd := range cmds {
		cmd.TimeMs = s.now().UnixMilli()
		key, err := s.decisions.Request(cmd)
		if err != nil {
			return nil, fmt.Errorf("minta keputusan Dinas: %w", err)
		}
		keys = append(keys, key)
	}
	return append(keys, findings...), nil
}

// command builds the dinas command a waiting step needs from the request.
func command(r *Request, d catalog.Decision, inputs takenInputs) (*eventpb.Command, error) {
	nik := first(r.Fields, "nik", "nik_pemohon")
	if given, ok := r.Decided(catalog.DecisionNIK); nik == "" && ok {
		nik = given.NIK
	}
	switch d {
	case catalog.DecisionKonsolidasi:
		return &eventpb.Command{Op: &eventpb.Command_ConsolidateChange{ConsolidateChange: &eventpb.ConsolidateChange{
			Nik: nik, Entity: r.ID, Summary: r.Service + ": " + first(r.Fields, "permasalahan", "elemen_data", "alasan")}}}, nil
	case catalog.DecisionNIK:
		region, birth := r.Fields[regionField], r.Fields["tanggal_lahir"]
		if region == "" || birth == "" {
			return nil, fmt.Errorf("%w: NIK memerlukan kode wilayah dan tanggal lahir", ErrPrecondition)
		}
		return &eventpb.Command{Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{
			Region: region, BirthDate: birth, Female: r.Fields["jenis_kelamin"] == "Perempuan", Subject: "permohonan/" + r.ID}}}, nil
	case catalog.DecisionKK:
		region := first(r.Fields, "kode_wilayah_tujuan", regionField)
		if region == "" {
			return nil, fmt.Errorf("%w: Nomor KK memerlukan kode wilayah kecamatan tujuan", ErrPrecondition)
		}
		return &eventpb.Command{Op: &eventpb.Command_AssignKk{AssignKk: &eventpb.AssignKK{Region: region, Subject: "permohonan/" + r.ID}}}, nil
	case catalog.DecisionKartu:
		serial, ok := inputs.card()
		if !ok || nik == "" {
			return nil, fmt.Errorf("%w: penerbitan kartu memerlukan NIK dan KTP-el hasil cetak dengan nomor seri blangkonya", ErrInvalid)
		}
		return &eventpb.Command{Op: &eventpb.Command_IssueCard{IssueCard: &eventpb.IssueCard{
			Nik: nik, BlankSerial: serial, Reason: r.Service}}}, nil
	}
	return nil, fmt.Errorf("%w: keputusan %q tidak dikenal", ErrInvalid, d)
}

// regionField carries the 6-digit code of the office that took the
// request; the engine records it, the resident does not type it.
const regionField = "kode_wilayah"

// Settle records, for each step of this office's requests that waits for
// dinas decisions, the ones that have arrived. The node calls it when
// decisions come in; it is idempotent.
func (s *Service) Settle(ids ...string) error {
	var errs []error
	for _, id := range ids {
		r, err := s.Get(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, s.settle(r))
	}
	return errors.Join(errs...)
}

func (s *Service) settle(r *Request) error {
	if err := s.record(r); err != nil {
		return err
	}
	if s.OnDecided == nil {
		return nil
	}
	after, err := s.Get(r.ID)
	if err != nil {
		return err
	}
	for i, st := range after.Steps {
		if st.Done && r.Steps[i].Waiting {
			s.OnDecided(after, st)
		}
	}
	return nil
}

// record appends a StepDecided for each awaited decision that has come.
func (s *Service) record(r *Request) error {
	for _, st := range r.Steps {
		if !st.Waiting || st.Office != s.office.Name {
			continue // only the office that asked records the answer
		}
		for _, key := range st.Awaiting {
			d, ok, err := s.decisions.Decided(key)
			if err != nil || !ok {
				return err
			}
			msg := stepDecided(st.Name, key, d)
			msg.Actor = s.actor("sistem")
			if _, err := s.append(r.ID, typeDecided, msg, nil, noNotice); err != nil {
				return err
			}
		}
	}
	return nil
}

// stepDecided is the typed record of decision d, which step awaited under key.
func stepDecided(step, key string, d *eventpb.Decision) *eventpb.StepDecided {
	msg := &eventpb.StepDecided{Step: step, DecisionKey: key, DecisionNumber: d.Number, Refused: d.Refused}
	switch c := d.GetCommand(); {
	case c.GetAssignNik() != nil || c.GetConfirmNik() != nil:
		msg.Kind, msg.Nik = string(catalog.DecisionNIK), d.Nik
	case c.GetAssignKk() != nil:
		msg.Kind, msg.Kk = string(catalog.DecisionKK), d.Kk
	case c.GetConsolidateChange() != nil:
		msg.Kind, msg.Nik = string(catalog.DecisionKonsolidasi), d.Nik
	case c.GetConfirmWarehouse() != nil:
		msg.Kind, msg.Nik = string(catalog.DecisionDWH), c.GetConfirmWarehouse().Nik
	case c.GetIssueCard() != nil:
		msg.Kind, msg.Nik = string(catalog.DecisionKartu), d.Nik
		if d.Refused == "" {
			msg.CardSerial = c.GetIssueCard().BlankSerial
		}
	case c.GetRecordDedupVerdict() != nil:
		v := c.GetRecordDedupVerdict()
		msg.Kind, msg.Verdict, msg.DuplicateOfNik = string(catalog.DecisionDedup), v.Verdict, v.DuplicateOfNik
		if v.Verdict == "duplikat" && msg.Refused == "" {
			// The recording is someone already recorded: the step does
			// not go on, and the officer sees whom it matched.
			msg.Refused = "perekaman ganda dengan NIK " + v.DuplicateOfNik
		}
	}
	return msg
}

// WaitingFor returns, by key, the requests in Diproses whose steps wait at
// any office for a decision whose key starts with prefix: what the dinas
// leader looks for when it files a finding of its own.
func (s *Service) WaitingFor(prefix string) (map[string]string, error) {
	out := map[string]string{}
	all, err := s.List(Filter{Status: Diproses})
	for _, r := range all {
		for _, st := range r.Steps {
			for _, k := range st.Awaiting {
				if st.Waiting && strings.HasPrefix(k, prefix) {
					out[k] = r.ID
				}
			}
		}
	}
	return out, err
}

// Waiting returns the IDs of requests this office filed decisions for and
// still waits on, by the decision keys: what Settle must look at when
// decisions arrive.
func (s *Service) Waiting() (map[string]string, error) {
	out := map[string]string{}
	all, err := s.List(Filter{Status: Diproses})
	for _, r := range all {
		for _, st := range r.Steps {
			if st.Waiting && st.Office == s.office.Name {
				for _, k := range st.Awaiting {
					out[k] = r.ID
				}
			}
		}
	}
	return out, err
}
