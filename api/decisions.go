package api

import (
	"context"
	"errors"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/eventpb"
)

// decisions implements sinkronv1connect.DecisionServiceHandler.
type decisions struct{ n DecisionNode }

func (h *decisions) decide(ctx context.Context, key, officer string, cmd *eventpb.Command) (*connect.Response[v1.DecisionResponse], error) {
	cmd.Key = key
	cmd.Actor = &eventpb.Actor{Officer: officerName(ctx, officer), Office: h.n.Office()}
	d, err := h.n.DecisionService().Decide(ctx, cmd)
	if err != nil { // a refusal is kept as a decision too; GetDecision shows it
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	return connect.NewResponse(&v1.DecisionResponse{Decision: decisionToProto(d)}), nil
}

func (h *decisions) AssignNIK(ctx context.Context, r *connect.Request[v1.AssignNIKRequest]) (*connect.Response[v1.DecisionResponse], error) {
	m := r.Msg
	return h.decide(ctx, m.Key, m.Officer, &eventpb.Command{Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: m.Region, BirthDate: m.BirthDate, Female: m.Female, Subject: m.Subject}}})
}

func (h *decisions) AllocateBlankSerials(ctx context.Context, r *connect.Request[v1.AllocateBlankSerialsRequest]) (*connect.Response[v1.DecisionResponse], error) {
	m := r.Msg
	return h.decide(ctx, m.Key, m.Officer, &eventpb.Command{Op: &eventpb.Command_AllocateBlankSerials{AllocateBlankSerials: &eventpb.AllocateBlankSerials{Station: m.Station, Count: m.Count}}})
}

func (h *decisions) IssueCard(ctx context.Context, r *connect.Request[v1.IssueCardRequest]) (*connect.Response[v1.DecisionResponse], error) {
	m := r.Msg
	return h.decide(ctx, m.Key, m.Officer, &eventpb.Command{Op: &eventpb.Command_IssueCard{IssueCard: &eventpb.IssueCard{Nik: m.Nik, BlankSerial: m.BlankSerial, Reason: m.Reason}}})
}

func (h *decisions) RecordDedupVerdict(ctx context.Context, r *connect.Request[v1.RecordDedupVerdictRequest]) (*connect.Response[v1.DecisionResponse], error) {
	m := r.Msg
	if err := checkVerdict(m); err != nil {
		return nil, err
	}
	if m.Key == "" {
		// A retried call must find its first verdict, not file another.
		m.Key = "putusan-dedup/" + m.Enrollment + "/" + m.Verdict
	}
	// The decision carries no officer: the audit records who gave it.
	if err := h.n.AuditLog().Verdict(m.Enrollment, m.Verdict, m.DuplicateOfNik, m.Key, officerName(ctx, m.Officer)); err != nil {
		return nil, toConnect(err)
	}
	return h.decide(ctx, m.Key, m.Officer, &eventpb.Command{Op: &eventpb.Command_RecordDedupVerdict{RecordDedupVerdict: &eventpb.RecordDedupVerdict{Enrollment: m.Enrollment, Verdict: m.Verdict, DuplicateOfNik: m.DuplicateOfNik}}})
}

func (h *decisions) ConsolidateChange(ctx context.Context, r *connect.Request[v1.ConsolidateChangeRequest]) (*connect.Response[v1.DecisionResponse], error) {
	m := r.Msg
	return h.decide(ctx, m.Key, m.Officer, &eventpb.Command{Op: &eventpb.Command_ConsolidateChange{ConsolidateChange: &eventpb.ConsolidateChange{Nik: m.Nik, Entity: m.Entity, Event: m.Event, Summary: m.Summary}}})
}

func (h *decisions) ChangeRoster(ctx context.Context, r *connect.Request[v1.ChangeRosterRequest]) (*connect.Response[v1.DecisionResponse], error) {
	m := r.Msg
	return h.decide(ctx, m.Key, m.Officer, &eventpb.Command{Op: &eventpb.Command_ChangeRoster{ChangeRoster: &eventpb.ChangeRoster{Op: m.Op, Peer: m.PeerId, Office: m.Office, Role: m.Role, Region: m.Region, Addrs: m.Addrs, NewPeer: m.NewPeerId}}})
}

func (h *decisions) RequestLease(_ context.Context, r *connect.Request[v1.RequestLeaseRequest]) (*connect.Response[v1.RequestLeaseResponse], error) {
	key, err := h.n.DecisionService().Request(&eventpb.Command{Op: &eventpb.Command_LeaseNikSlots{LeaseNikSlots: &eventpb.LeaseNIKSlots{Node: h.n.ID().String(), Region: r.Msg.Region, Count: r.Msg.Count}}})
	if err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	return connect.NewResponse(&v1.RequestLeaseResponse{Key: key}), nil
}

func (h *decisions) AssignNIKFromLease(_ context.Context, r *connect.Request[v1.AssignNIKFromLeaseRequest]) (*connect.Response[v1.AssignNIKFromLeaseResponse], error) {
	m := r.Msg
	nik, key, err := h.n.DecisionService().AssignFromLease(m.Region, m.BirthDate, m.Female, m.Subject)
	if err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	return connect.NewResponse(&v1.AssignNIKFromLeaseResponse{Nik: nik, Key: key}), nil
}

func (h *decisions) GetDecision(_ context.Context, r *connect.Request[v1.GetDecisionRequest]) (*connect.Response[v1.DecisionResponse], error) {
	d, ok, err := h.n.DecisionService().Decided(r.Msg.Key)
	if err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	if !ok {
		return nil, connect.NewError(connect.CodeNotFound, errors.New("keputusan belum ada di node ini (mungkin belum tersinkron)"))
	}
	return connect.NewResponse(&v1.DecisionResponse{Decision: decisionToProto(d)}), nil
}

func (h *decisions) LookupNIK(ctx context.Context, r *connect.Request[v1.LookupNIKRequest]) (*connect.Response[v1.LookupNIKResponse], error) {
	subject, found, err := h.n.DecisionService().LookupNIK(ctx, r.Msg.Nik)
	if err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	return connect.NewResponse(&v1.LookupNIKResponse{Found: found, Subject: subject}), nil
}

func (h *decisions) GetActiveCard(ctx context.Context, r *connect.Request[v1.GetActiveCardRequest]) (*connect.Response[v1.GetActiveCardResponse], error) {
	serial, err := h.n.DecisionService().ActiveCard(ctx, r.Msg.Nik)
	if err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	return connect.NewResponse(&v1.GetActiveCardResponse{BlankSerial: serial}), nil
}

func decisionToProto(d *eventpb.Decision) *v1.Decision {
	if d == nil {
		return nil
	}
	return &v1.Decision{
		Number: d.Number, Key: d.Key, Time: timestamppb.New(timeMs(d.TimeMs)), Kind: decision.OpName(d.Command),
		Refused: d.Refused, Nik: d.Nik, SerialFrom: d.SerialFrom, SerialTo: d.SerialTo, RevokedCard: d.RevokedCard,
	}
}

// checkVerdict refuses a verdict the dinas would refuse, before anything is
// recorded of it: bad input changes nothing, not even the audit.
func checkVerdict(m *v1.RecordDedupVerdictRequest) error {
	switch {
	case strings.TrimSpace(m.Enrollment) == "":
		return invalid("perekaman: kode permohonan perekaman wajib diisi")
	case m.Verdict != "unik" && m.Verdict != "duplikat" && m.Verdict != "adjudikasi":
		return invalid("putusan: harus unik, duplikat atau adjudikasi")
	case m.Verdict == "duplikat" && !validNIK(m.DuplicateOfNik):
		return invalid("nik_ganda: putusan duplikat menyebut NIK 16 angka yang sama dengan perekaman ini")
	}
	return nil
}

func validNIK(s string) bool {
	return len(s) == 16 && strings.Trim(s, "0123456789") == ""
}
