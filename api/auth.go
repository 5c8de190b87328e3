package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"

	c "github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/account"
)

// operations names what each RPC does, for the permission table. An RPC
// missing here is refused to everyone who signs in (permissions_test fails
// for it); the calls that every signed-in officer may make about
// themselves map to "". Login needs no entry: it is how one signs in.
var operations = map[string]string{
	c.AccountServiceLogoutProcedure: "", c.AccountServiceWhoAmIProcedure: "", c.AccountServiceChangePasswordProcedure: "",
	c.AccountServiceCreateAccountProcedure: account.OpAccountAdmin, c.AccountServiceGrantRoleProcedure: account.OpAccountAdmin,
	c.AccountServiceRevokeRoleProcedure: account.OpAccountAdmin, c.AccountServiceDisableAccountProcedure: account.OpAccountAdmin,
	c.AccountServiceListAccountsProcedure: account.OpAccountAdmin, c.AccountServiceResetPasswordProcedure: account.OpAccountAdmin,

	c.RequestServiceCreateRequestProcedure: account.OpRequestCreate, c.RequestServiceGetRequestProcedure: account.OpRequestRead,
	c.RequestServiceListRequestsProcedure: account.OpRequestRead, c.RequestServiceWatchRequestsProcedure: account.OpRequestRead,
	c.RequestServiceGetDocumentProcedure: account.OpRequestRead, c.RequestServiceListServicesProcedure: account.OpRequestRead,
	c.RequestServiceGetLogbookProcedure: account.OpRequestRead, c.RequestServicePrintRequestCopyProcedure: account.OpRequestRead,
	c.RequestServicePrintLogbookProcedure: account.OpRequestRead, c.RequestServiceTransitionRequestProcedure: account.OpRequestApprove,
	c.RequestServiceCompleteStepProcedure: account.OpRequestStep, c.RequestServiceResolveConflictProcedure: account.OpConflictResolve,
	c.RequestServiceSettleEffectProcedure: account.OpRegistryWrite, c.RequestServiceRetryEffectsProcedure: account.OpRegistryWrite,

	c.RegistryServiceGetResidentProcedure: account.OpRegistryRead, c.RegistryServiceGetFamilyProcedure: account.OpRegistryRead,
	c.RegistryServiceFamiliesOfProcedure: account.OpRegistryRead, c.RegistryServiceVerifyKKProcedure: account.OpRegistryRead,
	c.RegistryServiceRegisterResidentProcedure: account.OpRegistryWrite, c.RegistryServiceChangeResidentProcedure: account.OpRegistryWrite,
	c.RegistryServiceCreateFamilyProcedure: account.OpRegistryWrite, c.RegistryServiceAddFamilyMemberProcedure: account.OpRegistryWrite,
	c.RegistryServiceRemoveFamilyMemberProcedure: account.OpRegistryWrite, c.RegistryServiceIssueKKProcedure: account.OpKKIssue,

	c.DecisionServiceAssignNIKProcedure: account.OpDecisionTake, c.DecisionServiceAllocateBlankSerialsProcedure: account.OpDecisionTake,
	c.DecisionServiceIssueCardProcedure: account.OpDecisionTake, c.DecisionServiceRecordDedupVerdictProcedure: account.OpDedupVerdict,
	c.DecisionServiceConsolidateChangeProcedure: account.OpDecisionTake, c.DecisionServiceRequestLeaseProcedure: account.OpDecisionTake,
	c.DecisionServiceAssignNIKFromLeaseProcedure: account.OpDecisionTake, c.DecisionServiceChangeRosterProcedure: account.OpClusterAdmin,
	c.DecisionServiceGetDecisionProcedure: account.OpDecisionRead, c.DecisionServiceLookupNIKProcedure: account.OpDecisionRead,
	c.DecisionServiceGetActiveCardProcedure: account.OpDecisionRead,

	c.ClusterServiceGetClusterStatusProcedure: account.OpNodeRead, c.ClusterServiceAddVoterProcedure: account.OpClusterAdmin,
	c.ClusterServiceAddNonvoterProcedure: account.OpClusterAdmin, c.ClusterServiceRemoveServerProcedure: account.OpClusterAdmin,
	c.ClusterServiceTransferLeadershipProcedure: account.OpClusterAdmin,

	c.NodeServiceGetStatusProcedure: account.OpNodeRead, c.NodeServiceListPeersProcedure: account.OpNodeRead,
	c.NodeServiceListConflictsProcedure: account.OpNodeRead, c.NodeServiceSetNetworkProcedure: account.OpNodeAdmin,
	c.NodeServiceSyncNowProcedure: account.OpNodeAdmin, c.NodeServiceExportBundleProcedure: account.OpBundle,
	c.NodeServiceImportBundleProcedure: account.OpBundle,
	c.NodeServiceQueryAuditProcedure:   account.OpAuditRead, c.NodeServiceListFailedNoticesProcedure: account.OpRequestRead, c.NodeServiceRetryNoticeProcedure: account.OpRequestCreate,
	c.NodeServiceListWhatsAppConversationsProcedure: account.OpRequestRead,

	c.InstitutionAdminServiceRegisterInstitutionProcedure: account.OpInstitutionAdmin, c.InstitutionAdminServiceRotateInstitutionKeyProcedure: account.OpInstitutionAdmin,
	c.InstitutionAdminServiceSetInstitutionQuotaProcedure: account.OpInstitutionAdmin, c.InstitutionAdminServiceInstitutionUsageProcedure: account.OpInstitutionRead,
	c.InstitutionAdminServiceSetInstitutionCertificateProcedure: account.OpInstitutionAdmin,
}

// actions says in Bahasa what each RPC does, as a refusal names it to the
// officer ("peran Anda (…) tidak berwenang mengubah status jaringan
// kantor"): an RPC path means nothing at a counter. Every procedure of
// every service has one (TestEveryProcedureHasAnAction).
var actions = map[string]string{
	c.AccountServiceLoginProcedure: "masuk ke Sinkron", c.AccountServiceLogoutProcedure: "keluar dari Sinkron",
	c.AccountServiceWhoAmIProcedure: "melihat akun sendiri", c.AccountServiceChangePasswordProcedure: "mengganti kata sandi",
	c.AccountServiceCreateAccountProcedure: "membuat akun petugas", c.AccountServiceGrantRoleProcedure: "memberikan peran kepada petugas",
	c.AccountServiceRevokeRoleProcedure: "mencabut peran petugas", c.AccountServiceDisableAccountProcedure: "menonaktifkan akun petugas",
	c.AccountServiceListAccountsProcedure: "melihat daftar akun petugas", c.AccountServiceResetPasswordProcedure: "mengatur ulang kata sandi petugas",

	c.RequestServiceCreateRequestProcedure: "menerima permohonan", c.RequestServiceGetRequestProcedure: "melihat permohonan",
	c.RequestServiceListRequestsProcedure: "melihat daftar permohonan", c.RequestServiceWatchRequestsProcedure: "memantau permohonan",
	c.RequestServiceGetDocumentProcedure: "melihat dokumen unggahan", c.RequestServiceListServicesProcedure: "melihat daftar layanan",
	c.RequestServiceGetLogbookProcedure: "melihat buku harian pelayanan", c.RequestServicePrintRequestCopyProcedure: "mencetak salinan permohonan",
	c.RequestServicePrintLogbookProcedure:      "mencetak buku harian pelayanan",
	c.RequestServiceTransitionRequestProcedure: "menyetujui, membatalkan atau mengubah status permohonan",
	c.RequestServiceCompleteStepProcedure:      "menyelesaikan langkah permohonan",
	c.RequestServiceResolveConflictProcedure:   "menyelesaikan konflik data permohonan",
	c.RequestServiceSettleEffectProcedure:      "menyelesaikan perubahan registri yang gagal",
	c.RequestServiceRetryEffectsProcedure:      "mencoba ulang perubahan registri yang gagal",

	c.RegistryServiceGetResidentProcedure: "melihat biodata penduduk", c.RegistryServiceGetFamilyProcedure: "melihat data kartu keluarga",
	c.RegistryServiceFamiliesOfProcedure: "melihat kartu keluarga seorang penduduk", c.RegistryServiceVerifyKKProcedure: "memeriksa keabsahan KK",
	c.RegistryServiceRegisterResidentProcedure: "mendaftarkan penduduk", c.RegistryServiceChangeResidentProcedure: "mengubah biodata penduduk",
	c.RegistryServiceCreateFamilyProcedure: "membuat kartu keluarga", c.RegistryServiceAddFamilyMemberProcedure: "menambah anggota kartu keluarga",
	c.RegistryServiceRemoveFamilyMemberProcedure: "mengeluarkan anggota kartu keluarga",
	c.RegistryServiceIssueKKProcedure:            "menerbitkan dan menandatangani KK",

	c.DecisionServiceAssignNIKProcedure: "meminta NIK baru dari Dinas", c.DecisionServiceAllocateBlankSerialsProcedure: "meminta nomor seri blangko KTP-el",
	c.DecisionServiceIssueCardProcedure: "menerbitkan KTP-el", c.DecisionServiceRecordDedupVerdictProcedure: "mencatat hasil pemeriksaan data ganda",
	c.DecisionServiceConsolidateChangeProcedure: "mengonsolidasikan perubahan data penduduk", c.DecisionServiceRequestLeaseProcedure: "meminta jatah NIK untuk pelayanan luring",
	c.DecisionServiceAssignNIKFromLeaseProcedure: "memberikan NIK dari jatah luring", c.DecisionServiceChangeRosterProcedure: "mengubah daftar kantor dalam jaringan",
	c.DecisionServiceGetDecisionProcedure: "melihat keputusan Dinas", c.DecisionServiceLookupNIKProcedure: "mencari pemilik NIK",
	c.DecisionServiceGetActiveCardProcedure: "melihat KTP-el yang berlaku",

	c.ClusterServiceGetClusterStatusProcedure: "melihat status klaster Dinas", c.ClusterServiceAddVoterProcedure: "menambah server pemungut suara klaster Dinas",
	c.ClusterServiceAddNonvoterProcedure: "menambah server pengikut klaster Dinas", c.ClusterServiceRemoveServerProcedure: "mengeluarkan server dari klaster Dinas",
	c.ClusterServiceTransferLeadershipProcedure: "memindahkan pimpinan klaster Dinas",

	c.NodeServiceGetStatusProcedure: "melihat status node kantor", c.NodeServiceListPeersProcedure: "melihat kantor yang terhubung",
	c.NodeServiceListConflictsProcedure: "melihat daftar konflik data", c.NodeServiceSetNetworkProcedure: "mengubah status jaringan kantor",
	c.NodeServiceSyncNowProcedure: "menyinkronkan data sekarang", c.NodeServiceExportBundleProcedure: "mengekspor bundel data",
	c.NodeServiceImportBundleProcedure: "mengimpor bundel data", c.NodeServiceQueryAuditProcedure: "melihat jejak audit",
	c.NodeServiceListFailedNoticesProcedure:         "melihat pemberitahuan WhatsApp yang gagal terkirim",
	c.NodeServiceRetryNoticeProcedure:               "mengirim ulang pemberitahuan WhatsApp",
	c.NodeServiceListWhatsAppConversationsProcedure: "melihat percakapan WhatsApp warga yang perlu ditangani petugas",

	c.PublicServiceSubmitRequestProcedure: "mengajukan permohonan daring", c.PublicServiceTrackRequestProcedure: "melacak permohonan",

	c.InstitutionAdminServiceRegisterInstitutionProcedure: "mendaftarkan instansi pengguna data", c.InstitutionAdminServiceRotateInstitutionKeyProcedure: "mengganti kunci API instansi",
	c.InstitutionAdminServiceSetInstitutionQuotaProcedure: "mengubah kuota instansi", c.InstitutionAdminServiceInstitutionUsageProcedure: "melihat pemakaian cek NIK oleh instansi",
	c.InstitutionServiceCheckProcedure: "memeriksa data NIK", c.InstitutionServiceOpenSyncProcedure: "membuka permohonan sinkronisasi data",

	c.InstitutionAdminServiceSetInstitutionCertificateProcedure: "mendaftarkan sertifikat klien instansi",
}

// action is what a refusal says the officer tried to do.
func action(procedure string) string {
	if a, ok := actions[procedure]; ok {
		return a
	}
	return "melakukan ini" // TestEveryProcedureHasAnAction keeps this unreached
}

type sessionKey struct{}

// sessionFrom is the signed-in officer of a call, if any.
func sessionFrom(ctx context.Context) (account.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(account.Session)
	return s, ok
}

// gate checks the caller's token and the permission for the call's
// procedure, and puts the session in the context. With anonymous set (a
// lab, AllowAnonymous), a call without a token passes unchecked; a call
// with one is always checked.
type gate struct {
	accounts  tokenVerifier
	anonymous bool
}

// tokenVerifier checks an officer's token (*account.Service).
type tokenVerifier interface {
	Verify(token string) (account.Session, error)
}

// errLogin is the answer to a call without a token.
func errLogin() error {
	return connect.NewError(connect.CodeUnauthenticated,
		errors.New("Anda belum masuk: masuk (login) dengan akun petugas terlebih dahulu (sinkron login), lalu kirim tokennya (Authorization: Bearer …)"))
}

func (g gate) admit(ctx context.Context, procedure string, header interface{ Get(string) string }) (context.Context, error) {
	if procedure == c.AccountServiceLoginProcedure {
		return ctx, nil
	}
	token, ok := strings.CutPrefix(header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		if g.anonymous {
			return ctx, nil
		}
		return ctx, errLogin()
	}
	s, err := g.accounts.Verify(token)
	if err != nil {
		return ctx, toConnect(err)
	}
	op, known := operations[procedure]
	if !known || (op != "" && !account.Allowed(s, op)) {
		return ctx, connect.NewError(connect.CodePermissionDenied, refusal(s, op, procedure))
	}
	return context.WithValue(ctx, sessionKey{}, s), nil
}

// refusal says what the officer may not do; for a conflict, also who may,
// since the officer cannot go on with the request until one of them has.
func refusal(s account.Session, op, procedure string) error {
	if op == account.OpConflictResolve {
		return fmt.Errorf("peran Anda (%s) tidak berwenang %s; konflik diselesaikan oleh %s",
			roleList(s), action(procedure), account.Holders(op))
	}
	return fmt.Errorf("peran Anda (%s) tidak berwenang %s", roleList(s), action(procedure))
}

// roleList names a session's roles for a refusal.
func roleList(s account.Session) string {
	if len(s.Roles) == 0 {
		return "tanpa peran"
	}
	names := make([]string, len(s.Roles))
	for i, r := range s.Roles {
		names[i] = r.Title()
	}
	return strings.Join(names, ", ")
}

func (g gate) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		ctx, err := g.admit(ctx, req.Spec().Procedure, req.Header())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (g gate) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (g gate) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := g.admit(ctx, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
