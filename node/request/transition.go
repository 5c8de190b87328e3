package request

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/roster"
)

var allowed = map[Status][]Status{
	Baru:      {Disetujui, Dibatalkan},
	Disetujui: {Diproses, Dibatalkan},
	Diproses:  {Selesai},
}

// Transition moves a request to a new status, refusing what the SOP does
// not allow, with the reason. Approving or cancelling is the counter's
// verification step: it is done in that step's role, at the office where
// the request was taken; later moves happen where the file is.
func (s *Service) Transition(id string, to Status, role, note, officer string) (*Request, error) {
	r, err := s.editable(id, officer)
	if err != nil {
		return nil, err
	}
	if err := checkTransition(r, to, note); err != nil {
		return nil, err
	}
	if err := s.checkMover(r, to, role); err != nil {
		return nil, err
	}
	msg := &eventpb.RequestTransitioned{Actor: s.actor(officer), From: int32(r.Status), To: int32(to), Note: strings.TrimSpace(note)}
	return s.append(id, typeTransition, msg, nil, func(_ *badger.Txn, e *event.Event) (*outbox.Notice, error) {
		return s.statusNotice(e, r, to, msg.Note), nil
	})
}

// already says a status as "permohonan ini sudah …" ends: an officer who
// approves twice (a double click, a colleague first) reads what happened,
// not a rule about statuses.
var already = map[Status]string{Baru: "diterima", Disetujui: "disetujui", Dibatalkan: "dibatalkan", Diproses: "diproses", Selesai: "selesai"}

func checkTransition(r *Request, to Status, note string) error {
	ok := false
	for _, s := range allowed[r.Status] {
		ok = ok || s == to
	}
	if !ok && r.Status == to {
		return fmt.Errorf("%w: permohonan ini sudah %s", ErrPrecondition, already[to])
	}
	if !ok {
		return fmt.Errorf("%w: status %s tidak dapat diubah menjadi %s", ErrPrecondition, r.Status, to)
	}
	if to == Dibatalkan && strings.TrimSpace(note) == "" {
		return fmt.Errorf("%w: catatan: alasan pembatalan wajib diisi", ErrInvalid)
	}
	if to == Selesai {
		for _, st := range r.Steps {
			if !st.Done {
				return fmt.Errorf("%w: langkah %s belum selesai", ErrPrecondition, st.Short())
			}
		}
	}
	return nil
}

// checkMover checks who moves a request and where.
func (s *Service) checkMover(r *Request, to Status, role string) error {
	fl, err := flowOf(r.Service, r.Path)
	if err != nil {
		return err
	}
	if err := s.holds(r, fl); err != nil {
		return err
	}
	if r.Status == Baru && fl.verify.Name != "" {
		if role != string(fl.verify.Role) {
			return fmt.Errorf("%w: %s dilakukan oleh %s, bukan %s", ErrPermission, fl.verify.Title, roleTitle(string(fl.verify.Role)), roleTitle(role))
		}
		if s.office.Kind != fl.verify.Office {
			return fmt.Errorf("%w: verifikasi berkas dilakukan di %s", ErrPrecondition, fl.verify.Office.Title())
		}
		return nil
	}
	if string(s.office.Kind) != r.Holder {
		return fmt.Errorf("%w: berkas sedang berada di %s", ErrPrecondition, roster.Role(r.Holder).Title())
	}
	return nil
}

// editable loads a request that an officer may change now.
func (s *Service) editable(id, officer string) (*Request, error) {
	if strings.TrimSpace(officer) == "" {
		return nil, fmt.Errorf("%w: petugas: nama petugas wajib diisi", ErrInvalid)
	}
	r, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	if r.InConflict() {
		return nil, fmt.Errorf("%w: permohonan %s sedang konflik; konflik harus diselesaikan terlebih dahulu oleh %s",
			ErrPrecondition, id, account.Holders(account.OpConflictResolve))
	}
	return r, nil
}

func (s *Service) statusNotice(e *event.Event, r *Request, to Status, note string) *outbox.Notice {
	// Every placeholder the config may use has its value here: a missing
	// one would reach the resident as a gap ("siap diambil di .").
	vars := map[string]string{
		outbox.VarKode: r.ID, outbox.VarCatatan: note, outbox.VarKodeLayanan: r.Service,
		outbox.VarLayanan: serviceTitle(r.Service), outbox.VarKantor: s.office.Name}
	text := s.Texts.Render(to.String(), vars)
	if text == "" {
		return nil // this status sends no notice
	}
	return s.notice(e, r.WhatsApp, text, to, vars)
}

// cardNotice tells the resident their card waits at this office.
func (s *Service) cardNotice(e *event.Event, r *Request) *outbox.Notice {
	vars := map[string]string{outbox.VarKode: r.ID, outbox.VarKodeLayanan: r.Service,
		outbox.VarLayanan: serviceTitle(r.Service), outbox.VarKantor: s.office.Name}
	text := outbox.DefaultApprovedTemplates()[outbox.KindKartuSiap].Render(vars)
	return &outbox.Notice{ID: e.ID().String(), Request: e.Entity, To: r.WhatsApp, Text: text, Created: s.now(),
		Kind: outbox.KindKartuSiap, Vars: vars}
}

// StepInput is a record a step takes from another subsystem (biometric
// templates, a printed card, a bundle), as the officer's software sent it.
type StepInput struct {
	Kind    string
	Content []byte
}

// CompleteStep records a processing step: the next one of the request's
// path, at an office of the step's kind that holds the file, by an officer
// acting in the step's role, with the inputs the step takes. A step that
// needs dinas decisions files their requests and waits for them.
func (s *Service) CompleteStep(id, step, role, note, officer string, inputs ...StepInput) (*Request, error) {
	r, err := s.editable(id, officer)
	if err != nil {
		return nil, err
	}
	def, err := s.checkStep(r, step, role)
	if err != nil {
		return nil, err
	}
	taken, err := s.takeInputs(r, def, inputs)
	if err != nil {
		return nil, err
	}
	refs, blobs, contents := taken.refs()
	awaiting, err := s.fileDecisions(r, def, taken)
	if err != nil {
		return nil, err
	}
	msg := &eventpb.StepCompleted{Actor: s.actor(officer), Step: step, Role: role, Note: strings.TrimSpace(note), Awaiting: awaiting, Inputs: refs}
	return s.append(id, typeStep, msg, blobs, func(txn *badger.Txn, e *event.Event) (*outbox.Notice, error) {
		for _, c := range contents {
			if _, err := blob.Put(txn, c); err != nil {
				return nil, err
			}
		}
		if def.Notifies {
			return s.cardNotice(e, r), nil
		}
		return nil, nil
	})
}

// checkStep finds the step and checks that it may be recorded here and now.
func (s *Service) checkStep(r *Request, step, role string) (StepDef, error) {
	if r.Status != Diproses {
		return StepDef{}, fmt.Errorf("%w: permohonan berstatus %s, langkah proses hanya untuk status Diproses", ErrPrecondition, r.Status)
	}
	i := slices.IndexFunc(r.Steps, func(st Step) bool { return st.Name == step })
	if i < 0 {
		return StepDef{}, fmt.Errorf("%w: langkah %q tidak dikenal untuk layanan ini", ErrInvalid, step)
	}
	if err := nextStep(r, step); err != nil {
		return StepDef{}, err
	}
	def := r.Steps[i].StepDef
	if role != def.Role && (def.RecordedBy == "" || role != def.RecordedBy) {
		return def, fmt.Errorf("%w: langkah %s dilakukan oleh %s, bukan %s", ErrPermission, def.Short(), roleTitle(def.Role), roleTitle(role))
	}
	if string(s.office.Kind) != def.OfficeKind {
		return def, fmt.Errorf("%w: langkah %s dilakukan di %s, bukan di %s", ErrPrecondition, def.Short(), roster.Role(def.OfficeKind).Title(), s.office.Kind.Title())
	}
	if r.Holder != def.OfficeKind {
		return def, fmt.Errorf("%w: berkas sedang berada di %s; langkah %s menunggu penyerahan berkas", ErrPrecondition, roster.Role(r.Holder).Title(), def.Short())
	}
	fl, err := flowOf(r.Service, r.Path)
	if err != nil {
		return def, err
	}
	return def, s.holds(r, fl)
}

// holds checks that this office is the one that has the file now. The SOP
// gives a request to the counter that took it until the file is handed to
// the dinas, and back to it when the file returns: while the file is at the
// kind of office where the request started, and that is a kecamatan or a
// mobile unit, only the office that took it may change it. The dinas's
// servers are one office; a file a dinas path sends to a kecamatan goes to
// the resident's kecamatan, which any kecamatan node of the regency may
// serve.
func (s *Service) holds(r *Request, fl flow) error {
	if r.Holder != string(fl.path.Start) || fl.path.Start == catalog.Dinas || s.office.Name == r.Office {
		return nil
	}
	return fmt.Errorf("%w: permohonan ini diterima dan ditangani oleh %s; kantor lain tidak dapat mengubahnya sebelum berkas diserahkan ke Dinas",
		ErrPermission, r.Office)
}

func roleTitle(role string) string {
	if t := catalog.Role(role).Title(); t != "" {
		return t
	}
	if role == "" {
		return "(peran tidak disebut)"
	}
	return role
}

func nextStep(r *Request, step string) error {
	for _, st := range r.Steps {
		switch {
		case st.Name == step && st.Done:
			return fmt.Errorf("%w: langkah %s sudah selesai", ErrPrecondition, st.Short())
		case st.Name == step && st.Waiting && slices.Contains(st.Waits, string(catalog.DecisionDedup)):
			return fmt.Errorf("%w: langkah %s menunggu putusan pemeriksaan perekaman ganda yang dicatat petugas Dinas yang berwenang", ErrPrecondition, st.Short())
		case st.Name == step && st.Waiting:
			return fmt.Errorf("%w: langkah %s menunggu keputusan Dinas", ErrPrecondition, st.Short())
		case st.Name == step:
			return nil
		case !st.Done:
			return fmt.Errorf("%w: selesaikan langkah %s terlebih dahulu", ErrPrecondition, st.Short())
		}
	}
	return nil
}

// Resolve settles a field in conflict with the value of one competing event.
// The new event depends on every head, so it supersedes all of them.
func (s *Service) Resolve(id, field, chosen, note, officer string) (*Request, error) {
	if strings.TrimSpace(officer) == "" {
		return nil, fmt.Errorf("%w: petugas: nama petugas wajib diisi", ErrInvalid)
	}
	r, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	for _, fc := range r.Conflicts {
		if fc.Field != field {
			continue
		}
		for _, v := range fc.Values {
			if v.Event == chosen {
				msg := &eventpb.ConflictResolved{Actor: s.actor(officer), Field: field, Value: []byte(v.Value), ChosenEvent: chosen, Note: strings.TrimSpace(note)}
				return s.append(id, typeResolved, msg, nil, noNotice)
			}
		}
		return nil, fmt.Errorf("%w: event %s bukan salah satu nilai konflik %s", ErrInvalid, chosen, field)
	}
	return nil, fmt.Errorf("%w: kolom %s tidak sedang konflik", ErrPrecondition, field)
}

func noNotice(*badger.Txn, *event.Event) (*outbox.Notice, error) { return nil, nil }

var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// newID makes a tracking code that sorts by filing time: 6 bytes of
// milliseconds and 4 random bytes, in Crockford base32 (16 characters).
func newID(now time.Time, rand io.Reader) (string, error) {
	b := binary.BigEndian.AppendUint64(nil, uint64(now.UnixMilli()))[2:]
	r := make([]byte, 4)
	if _, err := io.ReadFull(rand, r); err != nil {
		return "", fmt.Errorf("tracking code: %w", err)
	}
	return idEncoding.EncodeToString(append(b, r...)), nil
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
