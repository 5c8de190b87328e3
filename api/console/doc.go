// Package console is the officers' console in the browser: every office's
// node serves it on its officer listener under /konsol/, so a kecamatan
// keeps working in it while its link to the dinas is down, with nothing
// held in a browser tab.
//
// The console is a client of the node's Connect API (through web.Loop, in
// memory): it signs the officer in with AccountService.Login, keeps the
// token in an HttpOnly cookie, and makes every read and change as that
// officer, so the API's permission table, validation, Bahasa messages and
// audit apply unchanged. Only static tables are read from their packages:
// the service catalog (node/catalog) and the permission table
// (node/account), to show an officer just the buttons their roles may use.
//
// Pages are server-rendered html/template with htmx (hx-boost) and plain
// CSS; every form also works without scripts.
package console
