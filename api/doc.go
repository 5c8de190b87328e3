// Package api serves a node over Connect-RPC (sinkron.v1): the request
// service for counter software and the node service for operators, with
// gRPC reflection and health, over HTTP/1.1 and h2c so Connect, gRPC and
// gRPC-Web clients all work. Every call but AccountService.Login needs an
// officer's token whose roles the permission table allows the call
// (auth.go; AllowAnonymous lifts it for a lab); a refusal names the action
// in Bahasa, never an RPC path. Each service's handlers use the node
// through an interface declared in edge.go, which *node.Node satisfies;
// every error reaches the client with the code errors.go gives its kind
// (node/fault); an upload too large is refused by name and limit
// (uploads.go). Protobuf sources are in api/proto; the generated code in
// api/gen is rebuilt with
//
//	go tool -modfile=tools/go.mod buf generate
package api
