package api

import (
	"context"
	"errors"
	"strings"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// accounts implements sinkronv1connect.AccountServiceHandler.
type accounts struct{ n AccountNode }

var errNoSession = connect.NewError(connect.CodeUnauthenticated, errors.New("masuk (login) terlebih dahulu"))

func (h *accounts) Login(_ context.Context, req *connect.Request[v1.LoginRequest]) (*connect.Response[v1.LoginResponse], error) {
	token, s, err := h.n.AccountService().Login(req.Msg.Username, req.Msg.Password)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.LoginResponse{Token: token, Expires: timestamppb.New(s.Expires), Account: sessionInfo(s)}), nil
}

func (h *accounts) Logout(ctx context.Context, req *connect.Request[v1.LogoutRequest]) (*connect.Response[v1.LogoutResponse], error) {
	token, ok := strings.CutPrefix(req.Header().Get("Authorization"), "Bearer ")
	if !ok {
		return nil, errNoSession
	}
	if err := h.n.AccountService().Logout(token); err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.LogoutResponse{}), nil
}

func (h *accounts) WhoAmI(ctx context.Context, _ *connect.Request[v1.WhoAmIRequest]) (*connect.Response[v1.AccountInfo], error) {
	s, ok := sessionFrom(ctx)
	if !ok {
		return nil, errNoSession
	}
	return connect.NewResponse(sessionInfo(s)), nil
}

func (h *accounts) ChangePassword(ctx context.Context, req *connect.Request[v1.ChangePasswordRequest]) (*connect.Response[v1.ChangePasswordResponse], error) {
	s, ok := sessionFrom(ctx)
	if !ok {
		return nil, errNoSession
	}
	if err := h.n.AccountService().ChangePassword(s.Username, req.Msg.OldPassword, req.Msg.NewPassword); err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.ChangePasswordResponse{}), nil
}

func (h *accounts) CreateAccount(ctx context.Context, req *connect.Request[v1.CreateAccountRequest]) (*connect.Response[v1.AccountInfo], error) {
	var roles []catalog.Role
	for _, r := range req.Msg.Roles {
		roles = append(roles, catalog.Role(r))
	}
	return h.admin(ctx, req.Msg.Username, func(by string) error {
		return h.n.AccountService().Create(req.Msg.Username, req.Msg.FullName, roles, req.Msg.Password, by)
	})
}

func (h *accounts) GrantRole(ctx context.Context, req *connect.Request[v1.RoleRequest]) (*connect.Response[v1.AccountInfo], error) {
	return h.admin(ctx, req.Msg.Username, func(by string) error {
		return h.n.AccountService().Grant(req.Msg.Username, catalog.Role(req.Msg.Role), by)
	})
}

func (h *accounts) RevokeRole(ctx context.Context, req *connect.Request[v1.RoleRequest]) (*connect.Response[v1.AccountInfo], error) {
	return h.admin(ctx, req.Msg.Username, func(by string) error {
		return h.n.AccountService().Revoke(req.Msg.Username, catalog.Role(req.Msg.Role), by)
	})
}

func (h *accounts) DisableAccount(ctx context.Context, req *connect.Request[v1.DisableAccountRequest]) (*connect.Response[v1.AccountInfo], error) {
	return h.admin(ctx, req.Msg.Username, func(by string) error {
		return h.n.AccountService().Disable(req.Msg.Username, req.Msg.Reason, by)
	})
}

func (h *accounts) ResetPassword(ctx context.Context, req *connect.Request[v1.ResetPasswordRequest]) (*connect.Response[v1.AccountInfo], error) {
	return h.admin(ctx, req.Msg.Username, func(by string) error {
		return h.n.AccountService().ResetPassword(req.Msg.Username, req.Msg.NewPassword, by)
	})
}

func (h *accounts) ListAccounts(ctx context.Context, _ *connect.Request[v1.ListAccountsRequest]) (*connect.Response[v1.ListAccountsResponse], error) {
	if _, ok := sessionFrom(ctx); !ok {
		return nil, errNoSession
	}
	all, err := h.n.AccountService().List()
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.ListAccountsResponse{}
	for _, a := range all {
		out.Accounts = append(out.Accounts, accountInfo(a))
	}
	return connect.NewResponse(out), nil
}

// admin runs an administration call as the signed-in officer (the account
// service checks that they may) and answers with the account.
func (h *accounts) admin(ctx context.Context, username string, do func(by string) error) (*connect.Response[v1.AccountInfo], error) {
	s, ok := sessionFrom(ctx)
	if !ok {
		return nil, errNoSession
	}
	if err := do(s.Username); err != nil {
		return nil, toConnect(err)
	}
	a, err := h.n.AccountService().Get(username)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(accountInfo(a)), nil
}

func sessionInfo(s account.Session) *v1.AccountInfo {
	out := &v1.AccountInfo{Username: s.Username, FullName: s.FullName, Office: s.Office}
	for _, r := range s.Roles {
		out.Roles = append(out.Roles, string(r))
	}
	return out
}

func accountInfo(a *account.Account) *v1.AccountInfo {
	out := &v1.AccountInfo{Username: a.Username, FullName: a.FullName, Office: a.Office, Disabled: a.Disabled}
	for _, r := range a.Roles {
		out.Roles = append(out.Roles, string(r))
	}
	return out
}
