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
	c.AccountServiceListAccountsProcedure: account.OpAccountAdmin,

	c.RequestServiceCreateRequestProcedure: account.OpRequestCreate, c.RequestServiceGetRequestProcedure: account.OpRequestRead,
	c.RequestServiceListRequestsProcedure: account.OpRequestRead, c.RequestServiceWatchRequestsProcedure: account.OpRequestRead,
	c.RequestServiceGetDocumentProcedure: account.OpRequestRead, c.RequestServiceListServicesProcedure: account.OpRequestRead,
	c.RequestServiceGetLogbookProcedure: account.OpRequestRead, c.RequestServicePrintRequestCopyProcedure: account.OpRequestRead,
	c.RequestServicePrintLogbookProcedure: account.OpRequestRead, c.RequestServiceTransitionRequestProcedure: account.OpRequestApprove,
	c.RequestServiceCompleteStepProcedure: account.OpRequestStep, c.RequestServiceResolveConflictProcedure: account.OpConflictResolve,

	c.RegistryServiceGetResidentProcedure: account.OpRegistryRead, c.RegistryServiceGetFamilyProcedure: account.OpRegistryRead,
	c.RegistryServiceFamiliesOfProcedure: account.OpRegistryRead, c.RegistryServiceVerifyKKProcedure: account.OpRegistryRead,
	c.RegistryServiceRegisterResidentProcedure: account.OpRegistryWrite, c.RegistryServiceChangeResidentProcedure: account.OpRegistryWrite,
	c.RegistryServiceCreateFamilyProcedure: account.OpRegistryWrite, c.RegistryServiceAddFamilyMemberProcedure: account.OpRegistryWrite,
	c.RegistryServiceRemoveFamilyMemberProcedure: account.OpRegistryWrite, c.RegistryServiceIssueKKProcedure: account.OpKKIssue,

	c.DecisionServiceAssignNIKProcedure: account.OpDecisionTake, c.DecisionServiceAllocateBlankSerialsProcedure: account.OpDecisionTake,
	c.DecisionServiceIssueCardProcedure: account.OpDecisionTake, c.DecisionServiceRecordDedupVerdictProcedure: account.OpDecisionTake,
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
	accounts  *account.Service
	anonymous bool
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
		return ctx, connect.NewError(connect.CodePermissionDenied, fmt.Errorf("peran Anda (%s) tidak berwenang untuk %s", roleList(s), procedure))
	}
	return context.WithValue(ctx, sessionKey{}, s), nil
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
