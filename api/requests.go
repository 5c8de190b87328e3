package api

import (
	"context"
	"fmt"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/event"
)

// requests implements sinkronv1connect.RequestServiceHandler.
type requests struct{ n RequestNode }

func (h *requests) CreateRequest(ctx context.Context, req *connect.Request[v1.CreateRequestRequest]) (*connect.Response[v1.CreateRequestResponse], error) {
	m := req.Msg
	if err := checkUploads(m.Service, m.Documents); err != nil {
		return nil, toConnect(err)
	}
	f := request.Form{
		Service: m.Service, Path: m.Path, Fields: m.Fields,
		ApplicantName: m.ApplicantName, NIK: m.Nik, KK: m.Kk, Problem: m.Problem, WhatsApp: m.Whatsapp,
		Channel: int32(m.Channel), Officer: officerName(ctx, m.Officer),
	}
	if err := request.CheckKey(m.FilingKey); err != nil {
		return nil, toConnect(err)
	}
	if m.FilingKey != "" { // one officer's key never answers another's retry
		f.Key = f.Officer + "\x00" + m.FilingKey
	}
	for _, d := range m.Documents {
		f.Documents = append(f.Documents, request.Upload{Name: d.Name, Kind: int32(d.Kind), Content: d.Content})
	}
	r, err := h.n.RequestService().Create(f)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.CreateRequestResponse{Request: h.toProto(r)}), nil
}

func (h *requests) GetRequest(_ context.Context, req *connect.Request[v1.GetRequestRequest]) (*connect.Response[v1.GetRequestResponse], error) {
	r, err := h.n.RequestService().Get(req.Msg.Id)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.GetRequestResponse{Request: h.toProto(r)}), nil
}

func (h *requests) ListRequests(_ context.Context, req *connect.Request[v1.ListRequestsRequest]) (*connect.Response[v1.ListRequestsResponse], error) {
	size := int(req.Msg.PageSize)
	if size <= 0 || size > 500 {
		size = 100
	}
	rs, err := h.n.RequestService().List(request.Filter{Status: request.Status(req.Msg.Status), ConflictOnly: req.Msg.ConflictOnly, After: req.Msg.PageToken, Limit: size,
		Office: req.Msg.Office, Holder: req.Msg.Holder, Step: req.Msg.Step, Service: req.Msg.Service})
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.ListRequestsResponse{}
	for _, r := range rs {
		out.Requests = append(out.Requests, h.toProto(r))
	}
	if len(rs) == size {
		out.NextPageToken = rs[len(rs)-1].ID
	}
	return connect.NewResponse(out), nil
}

func (h *requests) TransitionRequest(ctx context.Context, req *connect.Request[v1.TransitionRequestRequest]) (*connect.Response[v1.TransitionRequestResponse], error) {
	m := req.Msg
	if m.To == v1.Status_STATUS_UNSPECIFIED || m.To == v1.Status_STATUS_BARU {
		return nil, invalid("status tujuan harus Disetujui, Dibatalkan, Diproses atau Selesai")
	}
	officer, role, err := actor(ctx, m.Officer, m.Role)
	if err != nil {
		return nil, err
	}
	r, err := h.n.RequestService().Transition(m.Id, request.Status(m.To), role, m.Note, officer)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.TransitionRequestResponse{Request: h.toProto(r)}), nil
}

func (h *requests) CompleteStep(ctx context.Context, req *connect.Request[v1.CompleteStepRequest]) (*connect.Response[v1.CompleteStepResponse], error) {
	m := req.Msg
	var inputs []request.StepInput
	for _, in := range m.Inputs {
		inputs = append(inputs, stepInput(in))
	}
	officer, role, err := actor(ctx, m.Officer, m.Role)
	if err != nil {
		return nil, err
	}
	r, err := h.n.RequestService().CompleteStep(m.Id, m.Step, role, m.Note, officer, inputs...)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.CompleteStepResponse{Request: h.toProto(r)}), nil
}

func (h *requests) ResolveConflict(ctx context.Context, req *connect.Request[v1.ResolveConflictRequest]) (*connect.Response[v1.ResolveConflictResponse], error) {
	m := req.Msg
	r, err := h.n.RequestService().Resolve(m.Id, m.Field, m.ChosenEventId, m.Note, officerName(ctx, m.Officer))
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.ResolveConflictResponse{Request: h.toProto(r)}), nil
}

func (h *requests) GetDocument(_ context.Context, req *connect.Request[v1.GetDocumentRequest]) (*connect.Response[v1.GetDocumentResponse], error) {
	hash, err := event.ParseHash(req.Msg.Sha256)
	if err != nil {
		return nil, invalid("sha256 dokumen tidak valid")
	}
	b, err := h.n.Document(hash)
	if err != nil {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("dokumen %s belum ada di node ini: %w", req.Msg.Sha256, err))
	}
	return connect.NewResponse(&v1.GetDocumentResponse{ContentType: sniff(b), Content: b}), nil
}

func (h *requests) WatchRequests(ctx context.Context, _ *connect.Request[v1.WatchRequestsRequest], stream *connect.ServerStream[v1.WatchRequestsResponse]) error {
	ch, stop := h.n.RequestService().Watch()
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case r, ok := <-ch:
			if !ok {
				return connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("pemantau tertinggal; sambungkan ulang"))
			}
			if err := stream.Send(&v1.WatchRequestsResponse{Request: h.toProto(r)}); err != nil {
				return err
			}
		}
	}
}

func (h *requests) toProto(r *request.Request) *v1.Request {
	out := &v1.Request{
		Id: r.ID, Service: r.Service, ApplicantName: r.ApplicantName, Nik: r.NIK, Kk: r.KK, Problem: r.Problem,
		Whatsapp: r.WhatsApp, Channel: v1.Channel(r.Channel), Status: v1.Status(r.Status), Office: r.Office,
		CreatedAt: timestamppb.New(r.CreatedAt), UpdatedAt: timestamppb.New(r.UpdatedAt), Conflict: r.InConflict(),
		Path: r.Path, Fields: r.Fields, Holder: r.Holder,
	}
	for _, c := range r.History {
		out.History = append(out.History, &v1.StatusChange{Status: v1.Status(c.Status), Note: c.Note, Officer: c.Officer, Office: c.Office, At: timestamppb.New(c.At), EventId: c.Event})
	}
	for _, s := range r.Steps {
		st := &v1.Step{Name: s.Name, Title: s.Title, Done: s.Done, Officer: s.Officer, Office: s.Office, Note: s.Note,
			StandardSeconds: int64(s.Standard.Seconds()), Role: s.Role, OfficeKind: s.OfficeKind,
			Waiting: s.Waiting, DecisionKeys: s.Awaiting, Result: s.Result, Overdue: s.Overdue,
			Effect: s.Effect, EffectDone: s.EffectDone, EffectError: s.EffectError, EffectNote: s.EffectNote}
		for _, d := range s.Decisions {
			st.Decisions = append(st.Decisions, &v1.StepDecision{Key: d.Key, Number: d.Number, Kind: d.Kind, Nik: d.NIK, Kk: d.KK,
				CardSerial: d.CardSerial, Verdict: d.Verdict, DuplicateOfNik: d.DuplicateOf, Refused: d.Refused})
		}
		if s.Done || s.Waiting {
			st.At = timestamppb.New(s.At)
		}
		if !s.Due.IsZero() {
			st.Due = timestamppb.New(s.Due)
		}
		out.Steps = append(out.Steps, st)
	}
	for _, d := range r.Documents {
		hash, err := event.ParseHash(d.SHA256)
		avail := err == nil && h.n.HasDocument(hash)
		out.Documents = append(out.Documents, &v1.Document{Name: d.Name, Kind: v1.DocumentKind(d.Kind), ContentType: d.ContentType, Sha256: d.SHA256, Size: d.Size, Available: avail})
	}
	out.Conflicts = conflictsProto(r.Conflicts)
	out.Notices = noticesProto(h.n, r.ID)
	return out
}

// actor is who makes a change: the signed-in officer, acting in one of
// their roles (the one named, or their only one), or, without a session,
// the officer and role the call names.
func actor(ctx context.Context, officer, role string) (string, string, error) {
	s, ok := sessionFrom(ctx)
	if !ok {
		return officer, role, nil
	}
	if role == "" && len(s.Roles) == 1 {
		role = string(s.Roles[0])
	}
	if role != "" && !s.HasRole(catalog.Role(role)) {
		return "", "", connect.NewError(connect.CodePermissionDenied, fmt.Errorf("Anda tidak memegang peran %q", role))
	}
	return officerName(ctx, officer), role, nil
}

// officerName is who a change or a read is recorded as: the signed-in
// officer, whatever name the call gives; without a session (a lab's
// anonymous calls, AllowAnonymous) the name the call gives.
func officerName(ctx context.Context, named string) string {
	if s, ok := sessionFrom(ctx); ok {
		return s.FullName + " (" + s.Username + ")"
	}
	return named
}

// stepInput is a step input as the engine takes it. A printed card sent
// with its blank serial beside it (the CLI's --blangko) is wrapped into the
// print room's record, whose handler reads the serial from it.
func stepInput(in *v1.StepInput) request.StepInput {
	if in.Kind != string(catalog.InputPrintedCard) || in.BlankSerial == 0 {
		return request.StepInput{Kind: in.Kind, Content: in.Content}
	}
	b, _ := proto.Marshal(&eventpb.PrintedCard{BlankSerial: in.BlankSerial, ChipRecord: in.Content})
	return request.StepInput{Kind: in.Kind, Content: b}
}
