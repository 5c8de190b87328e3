package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// officer is the signed-in officer of a page, as the API knows them.
type officer struct {
	token    string
	Username string
	FullName string
	Roles    []catalog.Role
	CSRF     string
	Here     office
}

// Can reports whether the officer's roles allow an operation of the
// permission table: the console shows a button only then, and the API
// checks again when it is pressed.
func (o *officer) Can(op string) bool {
	return account.Allowed(account.Session{Roles: o.Roles}, op)
}

// HasRole reports whether the officer holds a role (catalog name).
func (o *officer) HasRole(role string) bool { return slices.Contains(o.Roles, catalog.Role(role)) }

// RoleTitles names the officer's roles.
func (o *officer) RoleTitles() string {
	t := make([]string, len(o.Roles))
	for i, r := range o.Roles {
		t[i] = r.Title()
	}
	return strings.Join(t, ", ")
}

// handler is a console page for a signed-in officer.
type handler func(w http.ResponseWriter, r *http.Request, o *officer)

// maxForm bounds a posted form; intake forms carry photos (the API
// refuses a photo over its own limit with a clear message).
const maxForm = 40 << 20

// signedIn runs h for the officer of the session, or sends the browser to
// the sign-in page. A POST must carry the session's CSRF token: a form
// posted from another site, or one with a forged token, is refused before
// anything reaches the API.
func (con *Console) signedIn(h handler) http.HandlerFunc { return con.session(h, true) }

// signedInStream is signedIn for a form the handler streams itself (a
// bundle upload, too big to hold as a parsed form): the handler must check
// the CSRF token, which the form sends before the file (checkStream).
func (con *Console) signedInStream(h handler) http.HandlerFunc { return con.session(h, false) }

func (con *Console) session(h handler, parse bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := con.sessions.Token(r)
		if token == "" {
			con.toLogin(w, r)
			return
		}
		o := &officer{token: token, CSRF: con.sessions.CSRF(token)}
		who, err := con.api.accounts.WhoAmI(r.Context(), call(o, &v1.WhoAmIRequest{}))
		if connect.CodeOf(err) == connect.CodeUnauthenticated {
			con.sessions.Clear(w, r)
			con.toLogin(w, r)
			return
		}
		if err != nil {
			con.fail(w, r, nil, err)
			return
		}
		o.Username, o.FullName = who.Msg.Username, who.Msg.FullName
		for _, role := range who.Msg.Roles {
			o.Roles = append(o.Roles, catalog.Role(role))
		}
		if o.Here, err = con.office(r.Context(), o); err != nil {
			con.fail(w, r, o, err)
			return
		}
		if parse && r.Method == http.MethodPost && !con.checkForm(w, r, token) {
			con.forged(w, r, o)
			return
		}
		if !web.FormIsText(r) {
			con.garbled(w, r, o)
			return
		}
		h(w, r, o)
	}
}

// checkForm parses a posted form and checks its CSRF token.
func (con *Console) checkForm(w http.ResponseWriter, r *http.Request, token string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	return err == nil && con.sessions.CheckCSRF(r, token)
}

// forged answers a post whose CSRF token is missing or wrong.
func (con *Console) forged(w http.ResponseWriter, r *http.Request, o *officer) {
	con.render(w, r, http.StatusForbidden, "galat.html", o, errorPage{
		Message: "Formulir ini tidak sah atau sudah kedaluwarsa; muat ulang halaman lalu coba lagi. Tidak ada yang diubah."})
}

// garbled answers a form or address whose values are not text a browser
// sends (bytes that are not UTF-8).
func (con *Console) garbled(w http.ResponseWriter, r *http.Request, o *officer) {
	con.render(w, r, http.StatusBadRequest, "galat.html", o, errorPage{
		Message: "Ada isian yang berisi karakter tidak dikenal; ketik ulang isiannya lalu kirim lagi. Tidak ada yang diubah."})
}

func (con *Console) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", Prefix+"masuk")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, Prefix+"masuk", http.StatusSeeOther)
}

// errorPage is the page of a failed action.
type errorPage struct{ Message string }

// fail shows an API error as the API words it, with its HTTP status.
func (con *Console) fail(w http.ResponseWriter, r *http.Request, o *officer, err error) {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		con.log.Warn("console: api call", "path", r.URL.Path, "err", err)
	}
	con.render(w, r, web.Status(err), "galat.html", o, errorPage{Message: web.Message(err)})
}
