package console

import (
	"net/http"
	"strings"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
)

func (con *Console) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /konsol/aset/", con.assets)
	mux.HandleFunc("GET /konsol/masuk", con.loginForm)
	mux.HandleFunc("POST /konsol/masuk", con.login)
	mux.HandleFunc("POST /konsol/keluar", con.signedIn(con.logout))
	mux.HandleFunc("GET /konsol/{$}", con.signedIn(con.queue))
	con.requestRoutes(mux)
	con.officeRoutes(mux)
	return mux
}

type loginPage struct{ Username, Error string }

func (con *Console) loginForm(w http.ResponseWriter, r *http.Request) {
	if con.sessions.Token(r) != "" {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	con.render(w, r, http.StatusOK, "masuk.html", nil, loginPage{})
}

// login signs the officer in with the API. The form carries no CSRF token
// (there is no session yet); a post another site makes the browser send
// is refused by the Fetch Metadata the browser adds.
func (con *Console) login(w http.ResponseWriter, r *http.Request) {
	if crossSite(r) {
		http.Error(w, "permintaan dari situs lain ditolak", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil || !web.FormIsText(r) {
		con.render(w, r, http.StatusBadRequest, "masuk.html", nil, loginPage{Error: "formulir masuk tidak terbaca"})
		return
	}
	user := strings.TrimSpace(r.PostFormValue("pengguna"))
	res, err := con.api.accounts.Login(r.Context(), web.Plain(&v1.LoginRequest{Username: user, Password: r.PostFormValue("sandi")}))
	if err != nil {
		con.render(w, r, web.Status(err), "masuk.html", nil, loginPage{Username: user, Error: web.Message(err)})
		return
	}
	con.sessions.Set(w, r, res.Msg.Token, res.Msg.Expires.AsTime())
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

func (con *Console) logout(w http.ResponseWriter, r *http.Request, o *officer) {
	_, _ = con.api.accounts.Logout(r.Context(), call(o, &v1.LogoutRequest{}))
	con.sessions.Clear(w, r)
	http.Redirect(w, r, Prefix+"masuk", http.StatusSeeOther)
}

// crossSite reports a request another site made the browser send.
func crossSite(r *http.Request) bool {
	return r.Header.Get("Sec-Fetch-Site") == "cross-site"
}
