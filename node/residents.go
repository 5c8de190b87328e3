package node

import (
	"fmt"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/registry"
)

// RegisterResident enters a resident from existing records (the NIK was
// given before Sinkron, by SIAK) and asks the dinas to reserve that NIK, so
// no new assignment ever gives it again; a NIK the dinas knows as someone
// else's comes back refused, for an officer to look into.
func (n *Node) RegisterResident(b registry.Biodata, officer string) (*registry.Resident, error) {
	r, err := n.Residents.Register(b, officer)
	if err != nil {
		return nil, err
	}
	_, err = n.Decisions.Request(&eventpb.Command{TimeMs: n.now().UnixMilli(),
		Op: &eventpb.Command_ConfirmNik{ConfirmNik: &eventpb.ConfirmNIK{Nik: r.NIK, Subject: registeredSubject(r.NIK)}}})
	if err != nil {
		return nil, fmt.Errorf("reserve NIK %s at the dinas: %w", r.NIK, err)
	}
	return r, nil
}

// registeredSubject names a resident registered from existing records in
// the dinas's NIK book.
func registeredSubject(nik string) string { return "penduduk/" + nik }
