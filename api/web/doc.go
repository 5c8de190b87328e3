// Package web holds what the officers' console (api/console) and the
// residents' portal (api/portal) share: the in-process connection through
// which both call the node's Connect API, the session cookie and its CSRF
// token, the vendored htmx and the style sheet, and the Bahasa wording of
// an API error.
//
// Both screens are clients of the API, never of the node's packages: a
// console button runs the same permission check, validation and audit as
// the CLI's command, and a refusal reads the same.
package web
