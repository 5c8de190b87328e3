// Package api serves a node over Connect-RPC (sinkron.v1). NewHandler
// routes the officers' services on one port, over HTTP/1.1 and h2c (or
// TLS, ListenTLS) so Connect, gRPC and gRPC-Web clients all work:
//
//	RequestService   requests of every catalog service, their steps,
//	                 documents, logbook and printed copies
//	RegistryService  residents (Penduduk) and family cards (Keluarga),
//	                 the signed KK and its offline check
//	DecisionService  dinas decisions (NIK, leases, blanks, cards, dedup
//	                 verdicts, consolidation, roster) and their lookups
//	ClusterService   the dinas Raft group's status and membership
//	NodeService      status, peers, conflicts, network, sync, bundles,
//	                 failed notices and the audit
//	AccountService   sign-in and officer accounts
//
// with gRPC reflection, health and /metrics, which need no token. Every
// service call but AccountService.Login needs an officer's token whose
// roles the permission table (node/account) allows the call (auth.go;
// AllowAnonymous lifts it for a lab); a refusal names the action in
// Bahasa, never an RPC path. An interceptor refuses writes while the disk
// is nearly full (diskguard.go), and an upload too large is refused by
// name and limit (uploads.go). Each service's handlers use the node
// through an interface declared in edge.go, which *node.Node satisfies.
// Domain errors are mapped to Connect codes by their kind (node/fault) in
// one place (errors.go); their messages, in Bahasa Indonesia, reach the
// officer as they are.
//
// NewPublicHandler serves residents on an address of its own: submitting
// a request and tracking it by code and NIK (PublicService and the
// residents' portal, api/portal), with a per-address attempt limit.
//
// Protobuf sources are in api/proto (sinkron/v1 for the API,
// sinkron/event/v1 for event payloads, generated into node/eventpb); the
// generated code in api/gen is rebuilt with
//
//	go tool -modfile=tools/go.mod buf generate
package api
