package console

import (
	"net/http"
	"slices"
	"strings"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/catalog"
)

func (con *Console) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/kantor/akun", con.signedIn(con.accounts))
	mux.HandleFunc("POST /konsol/kantor/akun", con.signedIn(con.createAccount))
	mux.HandleFunc("POST /konsol/kantor/akun/{user}/peran", con.signedIn(con.setRole))
	mux.HandleFunc("POST /konsol/kantor/akun/{user}/sandi", con.signedIn(con.resetPassword))
	mux.HandleFunc("POST /konsol/kantor/akun/{user}/nonaktif", con.signedIn(con.disableAccount))
}

// accountsPage is every account this node knows, with the new-account
// form as last typed and the API's message next to each refused field.
type accountsPage struct {
	notice
	Accounts []*v1.AccountInfo
	Roles    []catalog.Role // the roles an officer may hold
	New      newAccount
	Errors   map[string]string
}

// newAccount is the new-account form's values (never its password).
type newAccount struct {
	Username, FullName string
	Roles              []string
}

// Has reports whether the form had role r ticked.
func (n newAccount) Has(r catalog.Role) bool { return slices.Contains(n.Roles, string(r)) }

// officerRoles are the catalog's roles but the applicant's: residents
// use the public API, never an account.
func officerRoles() []catalog.Role {
	return slices.DeleteFunc(catalog.Roles(), func(r catalog.Role) bool { return r == catalog.Pemohon })
}

func (con *Console) accounts(w http.ResponseWriter, r *http.Request, o *officer) {
	con.showAccounts(w, r, o, http.StatusOK, accountsPage{})
}

// showAccounts lists the accounts under p's outcome. Listing needs the
// same permission as every change here, so an officer without it gets
// the API's refusal and nothing else.
func (con *Console) showAccounts(w http.ResponseWriter, r *http.Request, o *officer, status int, p accountsPage) {
	res, err := con.api.accounts.ListAccounts(r.Context(), call(o, &v1.ListAccountsRequest{}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	p.Accounts, p.Roles = res.Msg.Accounts, officerRoles()
	slices.SortFunc(p.Accounts, func(a, b *v1.AccountInfo) int { return strings.Compare(a.Username, b.Username) })
	con.render(w, r, status, "kantor-akun.html", o, p)
}

func (con *Console) createAccount(w http.ResponseWriter, r *http.Request, o *officer) {
	n := newAccount{Username: strings.TrimSpace(r.PostFormValue("nama_pengguna")),
		FullName: strings.TrimSpace(r.PostFormValue("nama_lengkap")), Roles: r.PostForm["peran"]}
	_, err := con.api.accounts.CreateAccount(r.Context(), call(o, &v1.CreateAccountRequest{
		Username: n.Username, FullName: n.FullName, Roles: n.Roles, Password: r.PostFormValue("kata_sandi")}))
	if err != nil {
		con.showAccounts(w, r, o, outcome(err), accountsPage{notice: refused(err), New: n, Errors: web.Fields(err)})
		return
	}
	con.showAccounts(w, r, o, http.StatusOK, accountsPage{notice: done("Akun " + n.Username + " dibuat. Berikan kata sandi awalnya kepada petugas secara langsung.")})
}

func (con *Console) setRole(w http.ResponseWriter, r *http.Request, o *officer) {
	user, role := r.PathValue("user"), r.PostFormValue("peran")
	in := &v1.RoleRequest{Username: user, Role: role}
	var err error
	var did string
	switch r.PostFormValue("aksi") {
	case "beri":
		_, err = con.api.accounts.GrantRole(r.Context(), call(o, in))
		did = "Peran " + catalog.Role(role).Title() + " diberikan kepada " + user + "."
	case "cabut":
		_, err = con.api.accounts.RevokeRole(r.Context(), call(o, in))
		did = "Peran " + catalog.Role(role).Title() + " dicabut dari " + user + "."
	default:
		con.showAccounts(w, r, o, http.StatusUnprocessableEntity, accountsPage{notice: notice{Error: "tindakan tidak dikenal"}})
		return
	}
	con.afterAccount(w, r, o, err, did)
}

func (con *Console) resetPassword(w http.ResponseWriter, r *http.Request, o *officer) {
	user := r.PathValue("user")
	_, err := con.api.accounts.ResetPassword(r.Context(), call(o, &v1.ResetPasswordRequest{
		Username: user, NewPassword: r.PostFormValue("kata_sandi")}))
	con.afterAccount(w, r, o, err, "Kata sandi "+user+" diatur ulang; sesi lamanya berakhir. Berikan kata sandi barunya secara langsung.")
}

func (con *Console) disableAccount(w http.ResponseWriter, r *http.Request, o *officer) {
	user := r.PathValue("user")
	_, err := con.api.accounts.DisableAccount(r.Context(), call(o, &v1.DisableAccountRequest{
		Username: user, Reason: r.PostFormValue("alasan")}))
	con.afterAccount(w, r, o, err, "Akun "+user+" dinonaktifkan untuk seterusnya.")
}

// afterAccount shows the list with a change's outcome; a refusal reads
// whole above the list (the API's sentence names the field), since the
// forms of every account share the page.
func (con *Console) afterAccount(w http.ResponseWriter, r *http.Request, o *officer, err error, did string) {
	if err != nil {
		con.showAccounts(w, r, o, outcome(err), accountsPage{notice: refused(err)})
		return
	}
	con.showAccounts(w, r, o, http.StatusOK, accountsPage{notice: done(did)})
}
