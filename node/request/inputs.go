package request

import (
	"fmt"
	"slices"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
)

// InputHandler checks a record a step takes from another subsystem and
// says what the engine keeps of it. The subsystem that makes the record
// provides the handler: the biometric capture's decoder for ISO/IEC 19794
// templates, the print room's read-back for a printed card, the bundle
// reader for a backup. node.New registers one per catalog.Input kind this
// node can serve (HandleInput); a step input of a kind with no handler is
// refused, so no step takes bytes nobody checked.
type InputHandler interface {
	TakeInput(r *Request, content []byte) (Taken, error)
}

// Taken is what a checked step input gives the engine.
type Taken struct {
	ContentType string // of the stored record
	// CardSerial is the blank a printed card was printed on: what the
	// card-issue decision the step files names.
	CardSerial uint64
}

// HandleInput registers the handler of a step input kind. It is not safe
// to call once the node serves requests.
func (s *Service) HandleInput(kind catalog.Input, h InputHandler) {
	s.inputs[kind] = h
}

// takenInput is one checked input of a step.
type takenInput struct {
	StepInput
	Taken
}

type takenInputs []takenInput

// takeInputs checks that the inputs are the ones the step takes, each
// once, and has each kind's handler check its record.
func (s *Service) takeInputs(r *Request, def StepDef, inputs []StepInput) (takenInputs, error) {
	var out takenInputs
	seen := map[string]bool{}
	for _, in := range inputs {
		if !slices.Contains(def.Inputs, in.Kind) || seen[in.Kind] {
			return nil, fmt.Errorf("%w: masukan %q tidak diminta langkah %s atau diberikan dua kali", ErrInvalid, in.Kind, def.Short())
		}
		seen[in.Kind] = true
		if len(in.Content) == 0 || len(in.Content) > maxInput {
			return nil, fmt.Errorf("%w: masukan %s kosong atau lebih dari %d KiB", ErrInvalid, in.Kind, maxInput>>10)
		}
		h, ok := s.inputs[catalog.Input(in.Kind)]
		if !ok {
			return nil, fmt.Errorf("%w: node ini belum dapat menerima masukan %s (%s); langkah %s dicatat di kantor yang memilikinya",
				ErrPrecondition, in.Kind, inputTitle(in.Kind), def.Short())
		}
		t, err := h.TakeInput(r, in.Content)
		if err != nil {
			return nil, fmt.Errorf("%w: masukan %s: %w", ErrInvalid, inputTitle(in.Kind), err)
		}
		out = append(out, takenInput{in, t})
	}
	for _, k := range def.Inputs {
		if !seen[k] && k != string(catalog.InputBundle) {
			return nil, fmt.Errorf("%w: langkah %s memerlukan masukan %s", ErrInvalid, def.Short(), inputTitle(k))
		}
	}
	return out, nil
}

// card is the printed card among the inputs, if any.
func (ts takenInputs) card() (uint64, bool) {
	for _, t := range ts {
		if t.Kind == string(catalog.InputPrintedCard) && t.CardSerial != 0 {
			return t.CardSerial, true
		}
	}
	return 0, false
}

// refs are the inputs' document references, hashes and contents to store.
func (ts takenInputs) refs() ([]*eventpb.DocumentRef, []event.Hash, [][]byte) {
	var refs []*eventpb.DocumentRef
	var blobs []event.Hash
	var contents [][]byte
	for _, t := range ts {
		h := event.Hash(sha256Sum(t.Content))
		ct := t.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		refs = append(refs, &eventpb.DocumentRef{Name: t.Kind, ContentType: ct, Sha256: h[:], Size: int64(len(t.Content))})
		blobs, contents = append(blobs, h), append(contents, t.Content)
	}
	return refs, blobs, contents
}

func inputTitle(kind string) string {
	switch catalog.Input(kind) {
	case catalog.InputISOTemplate:
		return "templat biometrik ISO/IEC 19794"
	case catalog.InputPrintedCard:
		return "KTP-el hasil cetak"
	case catalog.InputBundle:
		return "berkas cadangan perekaman"
	}
	return kind
}

// maxInput bounds a step input (an ISO/IEC 19794 template set or a card
// record is a few KiB).
const maxInput = 1 << 20
