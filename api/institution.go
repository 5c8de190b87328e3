package api

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/dwh"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/institution"
)

// InstitutionNode is what the institutions' listener and the officers'
// administration of institutions use: the NIK check, or nil where the node
// has no data warehouse.
type InstitutionNode interface {
	Institutions() *institution.Service
}

// errNoWarehouse refuses institution calls on a node without [dwh].
var errNoWarehouse = connect.NewError(connect.CodeFailedPrecondition,
	errors.New("node ini tidak terhubung ke DWH; layanan instansi ada di server Dinas"))

// NewInstitutionHandler serves registered institutions on an address of
// their own: the NIK check and opening a Sinkronisasi Data request, nothing
// else. Calls authenticate with the institution's API key or the client
// certificate of their TLS connection (InstitutionTLS), not an officer's
// token; over quota they are refused with Retry-After.
func NewInstitutionHandler(n InstitutionNode) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(sinkronv1connect.NewInstitutionServiceHandler(&institutions{n: n},
		connect.WithReadMaxBytes(MaxRequestBytes), connect.WithCompressMinBytes(1<<10)))
	return clientCert(newSizeGuard(mux, sinkronv1connect.InstitutionServiceName))
}

type institutions struct{ n InstitutionNode }

// credential is how a call proves its institution: the bearer API key, or
// the client certificate clientCert found on the connection.
func credential(ctx context.Context, h http.Header) institution.Credential {
	c := institution.Credential{Cert: peerCert(ctx)}
	if k, ok := strings.CutPrefix(h.Get("Authorization"), "Bearer "); ok {
		c.Key = strings.TrimSpace(k)
	}
	return c
}

// institutionError maps an institution refusal, adding Retry-After to a
// quota refusal.
func institutionError(err error) error {
	var over *institution.OverQuota
	if errors.As(err, &over) {
		ce := connect.NewError(connect.CodeResourceExhausted, err)
		ce.Meta().Set("Retry-After", strconv.Itoa(institution.RetrySeconds(over.RetryAfter)))
		return ce
	}
	if fault.KindOf(err) == fault.Internal {
		return connect.NewError(connect.CodeUnavailable, errors.New("DWH tidak dapat dibaca saat ini; coba lagi"))
	}
	return toConnect(err)
}

func (h *institutions) Check(ctx context.Context, req *connect.Request[v1.CheckRequest]) (*connect.Response[v1.CheckResponse], error) {
	svc := h.n.Institutions()
	if svc == nil {
		return nil, errNoWarehouse
	}
	m := req.Msg
	a, err := svc.Check(ctx, credential(ctx, req.Header()), queryOf(m))
	if err != nil {
		return nil, institutionError(err)
	}
	out := &v1.CheckResponse{Code: a.Code, CodeEn: a.CodeEN, Reason: a.Reason, RequestId: m.RequestId}
	if !a.AsOf.IsZero() {
		out.AsOf = timestamppb.New(a.AsOf)
	}
	for _, f := range a.Fields {
		out.Fields = append(out.Fields, &v1.FieldMatch{Field: f.Field, Match: matchOf(f.Match)})
	}
	return connect.NewResponse(out), nil
}

// queryOf is the check an institution sent.
func queryOf(m *v1.CheckRequest) institution.Query {
	q := institution.Query{RequestID: m.RequestId, SentAt: m.SentAt.AsTime(), NIK: m.Nik, Nama: m.Nama,
		TanggalLahir: m.TanggalLahir, TempatLahir: m.TempatLahir, NamaIbu: m.NamaIbu}
	if m.SentAt == nil {
		q.SentAt = q.SentAt.AddDate(-1, 0, 0) // absent: refused as outside the window
	}
	return q
}

func matchOf(m string) v1.Match {
	switch m {
	case institution.Sesuai:
		return v1.Match_MATCH_SESUAI
	case institution.TidakSesuai:
		return v1.Match_MATCH_TIDAK_SESUAI
	}
	return v1.Match_MATCH_TIDAK_TERSEDIA
}

func (h *institutions) OpenSync(ctx context.Context, req *connect.Request[v1.OpenSyncRequest]) (*connect.Response[v1.OpenSyncResponse], error) {
	svc := h.n.Institutions()
	if svc == nil {
		return nil, errNoWarehouse
	}
	m := req.Msg
	if err := checkUploads("", m.Documents); err != nil {
		return nil, toConnect(err)
	}
	f := institution.SyncForm{RequestID: m.RequestId, SentAt: m.SentAt.AsTime(), NIK: m.Nik, Nama: m.NamaPemohon,
		KK: m.Kk, WhatsApp: m.Whatsapp, Problem: m.Permasalahan}
	if m.SentAt == nil {
		f.SentAt = f.SentAt.AddDate(-1, 0, 0)
	}
	for _, d := range m.Documents {
		f.Documents = append(f.Documents, institution.Document{Name: d.Name, Kind: int32(d.Kind), Content: d.Content})
	}
	code, err := svc.OpenSync(ctx, credential(ctx, req.Header()), f)
	if err != nil {
		return nil, institutionError(err)
	}
	return connect.NewResponse(&v1.OpenSyncResponse{TrackingCode: code}), nil
}

// institutionAdmin is the officers' administration of institutions.
type institutionAdmin struct{ n InstitutionNode }

func (h *institutionAdmin) svc() (*institution.Service, error) {
	if s := h.n.Institutions(); s != nil {
		return s, nil
	}
	return nil, errNoWarehouse
}

func (h *institutionAdmin) RegisterInstitution(ctx context.Context, req *connect.Request[v1.RegisterInstitutionRequest]) (*connect.Response[v1.RegisterInstitutionResponse], error) {
	s, err := h.svc()
	if err != nil {
		return nil, err
	}
	var certPEM []byte
	if len(req.Msg.CertificatePem) > 0 {
		certPEM = req.Msg.CertificatePem
	}
	id, key, err := s.Registry.RegisterWithCertificate(ctx, req.Msg.Name, req.Msg.PerSecond, int(req.Msg.Burst), certPEM)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.RegisterInstitutionResponse{Id: id, ApiKey: key}), nil
}

func (h *institutionAdmin) RotateInstitutionKey(ctx context.Context, req *connect.Request[v1.RotateInstitutionKeyRequest]) (*connect.Response[v1.RotateInstitutionKeyResponse], error) {
	s, err := h.svc()
	if err != nil {
		return nil, err
	}
	key, err := s.Registry.RotateKey(ctx, req.Msg.Id)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.RotateInstitutionKeyResponse{ApiKey: key}), nil
}

func (h *institutionAdmin) SetInstitutionQuota(ctx context.Context, req *connect.Request[v1.SetInstitutionQuotaRequest]) (*connect.Response[v1.SetInstitutionQuotaResponse], error) {
	s, err := h.svc()
	if err != nil {
		return nil, err
	}
	if err := s.Registry.SetQuota(ctx, req.Msg.Id, req.Msg.PerSecond, int(req.Msg.Burst)); err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.SetInstitutionQuotaResponse{}), nil
}

func (h *institutionAdmin) SetInstitutionCertificate(ctx context.Context, req *connect.Request[v1.SetInstitutionCertificateRequest]) (*connect.Response[v1.SetInstitutionCertificateResponse], error) {
	s, err := h.svc()
	if err != nil {
		return nil, err
	}
	spki, err := s.Registry.SetCertificate(ctx, req.Msg.Id, req.Msg.CertificatePem)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.SetInstitutionCertificateResponse{SpkiSha256: hex.EncodeToString(spki)}), nil
}

func (h *institutionAdmin) InstitutionUsage(ctx context.Context, req *connect.Request[v1.InstitutionUsageRequest]) (*connect.Response[v1.InstitutionUsageResponse], error) {
	s, err := h.svc()
	if err != nil {
		return nil, err
	}
	us, err := s.Registry.Usage(ctx, req.Msg.Id, req.Msg.Since.AsTime())
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.InstitutionUsageResponse{}
	for _, u := range us {
		iu := &v1.InstitutionUsage{Id: u.ID, Name: u.Name, PerSecond: u.PerSecond, Burst: int32(u.Burst),
			Checks: u.Checks, Refused: u.Refused, SyncsOpened: u.Syncs, Certificate: u.HasCertificate()}
		if u.LastCall.Unix() > 0 {
			iu.LastCall = timestamppb.New(u.LastCall)
		}
		out.Institutions = append(out.Institutions, iu)
	}
	return connect.NewResponse(out), nil
}

// dwhToProto is the warehouse feed's status, nil off a feeding server.
func dwhToProto(s *dwh.Status) *v1.DWHStatus {
	if s == nil {
		return nil
	}
	out := &v1.DWHStatus{Feeding: s.Leading, Term: s.Term, Decisions: s.Decisions, Fed: s.Fed,
		LagDecisions: s.LagDecisions(), LagSeconds: s.LagSeconds, ChangesWritten: s.Applied, LastError: s.LastError}
	if !s.LastApplied.IsZero() {
		out.LastWritten = timestamppb.New(s.LastApplied)
	}
	return out
}
