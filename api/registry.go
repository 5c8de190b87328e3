package api

import (
	"context"
	"encoding/json"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/registry"
)

// residents implements sinkronv1connect.RegistryServiceHandler.
type residents struct{ n RegistryNode }

// GetResident answers with the full biodata, and records who read it.
func (h *residents) GetResident(ctx context.Context, req *connect.Request[v1.GetResidentRequest]) (*connect.Response[v1.ResidentResponse], error) {
	resp, err := residentResponse(h.n.RegistryService().Resident(req.Msg.Nik))
	if err != nil {
		return nil, err
	}
	if err := h.n.AuditLog().Read(req.Msg.Nik, officerName(ctx, "(tanpa login)")); err != nil {
		return nil, connect.NewError(connect.CodeInternal, fmt.Errorf("catat akses biodata: %w", err))
	}
	return resp, nil
}

func (h *residents) GetFamily(_ context.Context, req *connect.Request[v1.GetFamilyRequest]) (*connect.Response[v1.FamilyResponse], error) {
	return familyResponse(h.n.RegistryService().Family(req.Msg.Kk))
}

func (h *residents) FamiliesOf(_ context.Context, req *connect.Request[v1.FamiliesOfRequest]) (*connect.Response[v1.FamiliesOfResponse], error) {
	fs, err := h.n.RegistryService().FamiliesOf(req.Msg.Nik)
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.FamiliesOfResponse{}
	for _, f := range fs {
		out.Families = append(out.Families, familyProto(f))
	}
	return connect.NewResponse(out), nil
}

func (h *residents) RegisterResident(ctx context.Context, req *connect.Request[v1.RegisterResidentRequest]) (*connect.Response[v1.ResidentResponse], error) {
	var b registry.Biodata
	if err := fromMap(req.Msg.Fields, &b); err != nil {
		return nil, invalid("isian biodata tidak dapat dibaca")
	}
	return residentResponse(h.n.RegisterResident(b, officerName(ctx, req.Msg.Officer)))
}

func (h *residents) ChangeResident(ctx context.Context, req *connect.Request[v1.ChangeResidentRequest]) (*connect.Response[v1.ResidentResponse], error) {
	m := req.Msg
	return residentResponse(h.n.RegistryService().Change(m.Nik, m.Field, m.Value, m.Reason, officerName(ctx, m.Officer)))
}

func (h *residents) CreateFamily(ctx context.Context, req *connect.Request[v1.CreateFamilyRequest]) (*connect.Response[v1.FamilyResponse], error) {
	var a registry.Address
	if err := fromMap(req.Msg.Address, &a); err != nil {
		return nil, invalid("alamat tidak dapat dibaca")
	}
	return familyResponse(h.n.RegistryService().CreateFamily(req.Msg.Kk, req.Msg.HeadNik, a, officerName(ctx, req.Msg.Officer)))
}

func (h *residents) AddFamilyMember(ctx context.Context, req *connect.Request[v1.AddFamilyMemberRequest]) (*connect.Response[v1.FamilyResponse], error) {
	m := req.Msg
	return familyResponse(h.n.RegistryService().AddMember(m.Kk, m.Nik, m.Hubungan, officerName(ctx, m.Officer)))
}

func (h *residents) RemoveFamilyMember(ctx context.Context, req *connect.Request[v1.RemoveFamilyMemberRequest]) (*connect.Response[v1.FamilyResponse], error) {
	m := req.Msg
	return familyResponse(h.n.RegistryService().RemoveMember(m.Kk, m.Nik, m.Reason, officerName(ctx, m.Officer)))
}

func residentResponse(r *registry.Resident, err error) (*connect.Response[v1.ResidentResponse], error) {
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.Resident{Nik: r.NIK, Fields: toMap(r.Biodata), Office: r.Office,
		RegisteredAt: timestamppb.New(r.RegisteredAt), UpdatedAt: timestamppb.New(r.UpdatedAt)}
	out.History = changesProto(r.History)
	out.Conflicts = conflictsProto(r.Conflicts)
	return connect.NewResponse(&v1.ResidentResponse{Resident: out}), nil
}

func familyResponse(f *registry.Family, err error) (*connect.Response[v1.FamilyResponse], error) {
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.FamilyResponse{Family: familyProto(f)}), nil
}

func familyProto(f *registry.Family) *v1.Family {
	out := &v1.Family{Kk: f.KK, HeadNik: f.Head, Address: toMap(f.Address), Office: f.Office,
		History: changesProto(f.History), Conflicts: conflictsProto(f.Conflicts)}
	member := func(m registry.Member) *v1.FamilyMember {
		return &v1.FamilyMember{Nik: m.NIK, Hubungan: m.Hubungan, Officer: m.Officer, Office: m.Office, Since: timestamppb.New(m.Since)}
	}
	for _, m := range f.Members {
		out.Members = append(out.Members, member(m))
	}
	for _, m := range f.Former {
		out.Former = append(out.Former, member(m))
	}
	return out
}

func changesProto(cs []registry.Change) []*v1.RegistryChange {
	var out []*v1.RegistryChange
	for _, c := range cs {
		out = append(out, &v1.RegistryChange{What: c.What, Value: c.Value, Note: c.Note, Officer: c.Officer, Office: c.Office, At: timestamppb.New(c.At), EventId: c.Event})
	}
	return out
}

func conflictsProto(fcs []conflict.Field) []*v1.FieldConflict {
	var out []*v1.FieldConflict
	for _, fc := range fcs {
		pc := &v1.FieldConflict{Field: fc.Field}
		for _, v := range fc.Values {
			pc.Values = append(pc.Values, &v1.ConflictValue{Value: v.Value, EventId: v.Event, Officer: v.Officer, Office: v.Office, At: timestamppb.New(v.At)})
		}
		out = append(out, pc)
	}
	return out
}

// toMap and fromMap carry the registry's records as their form fields, by
// the records' JSON names.
func toMap(v any) map[string]string {
	b, _ := json.Marshal(v)
	out := map[string]string{}
	_ = json.Unmarshal(b, &out)
	return out
}

func fromMap(m map[string]string, v any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (h *residents) IssueKK(_ context.Context, req *connect.Request[v1.GetFamilyRequest]) (*connect.Response[v1.IssueKKResponse], error) {
	pdf, qr, err := h.n.IssueKK(req.Msg.Kk)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.IssueKKResponse{Pdf: &v1.PdfDocument{Filename: "kk-" + req.Msg.Kk + ".pdf", Content: pdf}, QrText: qr}), nil
}

func (h *residents) VerifyKK(_ context.Context, req *connect.Request[v1.VerifyKKRequest]) (*connect.Response[v1.VerifyKKResponse], error) {
	s, err := h.n.VerifyKK(req.Msg.QrText)
	if err != nil { // a code that does not verify is the caller's to fix
		return nil, toConnectOr(err, connect.CodeInvalidArgument)
	}
	return connect.NewResponse(&v1.VerifyKKResponse{Kk: s.Number, IssueDate: s.IssueDate, HeadName: s.HeadName, MemberNiks: s.MemberNIKs, Signer: s.Signer.String()}), nil
}
