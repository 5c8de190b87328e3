package console

import "net/http"

func (con *Console) officeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/kantor", con.signedIn(con.officeHome))
}

func (con *Console) officeHome(w http.ResponseWriter, r *http.Request, o *officer) {
	con.render(w, r, http.StatusOK, "kantor.html", o, nil)
}
