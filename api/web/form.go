package web

import (
	"net/http"
	"unicode/utf8"
)

// FormIsText reports whether the address's path and every value of a
// parsed form are UTF-8: the query, the posted fields and a multipart
// form's text parts, which ParseMultipartForm merges into r.Form. Before
// the form is parsed, it checks the query alone. Browsers always send
// UTF-8; other bytes cannot travel in the API's messages (protobuf strings
// are UTF-8), so such a form is refused before it is read, rather than
// failing inside the call.
func FormIsText(r *http.Request) bool {
	if !utf8.ValidString(r.URL.Path) {
		return false
	}
	form := r.Form
	if form == nil {
		form = r.URL.Query()
	}
	for _, values := range form {
		if !allText(values) {
			return false
		}
	}
	return true
}

func allText(values []string) bool {
	for _, v := range values {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}
