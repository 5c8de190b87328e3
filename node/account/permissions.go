package account

import (
	"slices"
	"strings"

	"github.com/sinkron-id/sinkron/node/catalog"
)

// Operations an officer's call may need, besides the steps of a request
// (the workflow engine checks each step's role from the catalog).
const (
	OpRequestCreate    = "request.create"    // CreateRequest: take a file at the counter
	OpRequestRead      = "request.read"      // Get/List/Watch requests, documents, logbook, prints
	OpRequestApprove   = "request.approve"   // TransitionRequest: approve, cancel, process, finish
	OpRequestStep      = "request.step"      // CompleteStep; the engine then checks the step's role
	OpConflictResolve  = "conflict.resolve"  // settle a request's or a resident's conflict
	OpRegistryRead     = "registry.read"     // residents' and families' biodata, VerifyKK
	OpRegistryWrite    = "registry.write"    // register and change residents and family cards
	OpKKIssue          = "kk.issue"          // IssueKK: the signed Kartu Keluarga
	OpDecisionTake     = "decision.take"     // propose dinas decisions (NIK, cards, dedup, leases)
	OpDecisionRead     = "decision.read"     // GetDecision, LookupNIK, GetActiveCard
	OpDedupVerdict     = "dedup.verdict"     // RecordDedupVerdict: the dinas's finding on a recording
	OpBundle           = "bundle"            // export and import flash-disk bundles
	OpNodeRead         = "node.read"         // status, peers, the conflict list
	OpNodeAdmin        = "node.admin"        // SetNetwork, SyncNow
	OpClusterAdmin     = "cluster.admin"     // Raft membership and ChangeRoster
	OpAccountAdmin     = "account.admin"     // create accounts, grant, revoke, disable, list
	OpAuditRead        = "audit.read"        // the audit query by officer, NIK or time
	OpInstitutionAdmin = "institution.admin" // register institutions, rotate their keys, set quotas
	OpInstitutionRead  = "institution.read"  // institutions' usage of the NIK check
)

// Short names for the table below.
const (
	pp   = catalog.PetugasPendukung
	si   = catalog.StafInformasi
	okec = catalog.OperatorKecamatan
	omob = catalog.OperatorMobile
	odin = catalog.OperatorDinas
	ks   = catalog.KepalaSeksi
	kd   = catalog.KasiData
	adb  = catalog.ADBSIAK
	pd   = catalog.PetugasPendistribusian
)

// Permissions maps each operation to the roles allowed it. The SOPs give
// the reasons: the counters (petugas pendukung pelayanan, staf informasi at
// the dinas, the mobile operator) take files; the operators record biodata
// and take dinas decisions; the Kasi Data and Kepala Seksi check and
// settle data; the ADB SIAK administers accounts, nodes and the cluster and
// runs the DWH synchronisation; the petugas pendistribusian hands out cards
// and has no business reading biodata. The applicant (pemohon) holds no
// officer operation: residents use the public API. Login, logout and
// changing one's own password need no role, only the account itself.
var Permissions = map[string][]catalog.Role{
	OpRequestCreate:   {pp, si, omob},
	OpRequestRead:     {pp, si, okec, omob, odin, ks, kd, adb, pd},
	OpRequestApprove:  {pp, si, okec, omob, odin, ks, kd},
	OpRequestStep:     {pp, si, okec, omob, odin, ks, kd, adb, pd},
	OpConflictResolve: {okec, odin, ks, kd, adb},
	OpRegistryRead:    {pp, si, okec, omob, odin, ks, kd, adb},
	OpRegistryWrite:   {okec, odin, kd, adb},
	OpKKIssue:         {odin, ks},
	OpDecisionTake:    {okec, odin, ks, kd, adb},
	OpDecisionRead:    {pp, si, okec, omob, odin, ks, kd, adb, pd},
	// Duplicates are adjudicated at the dinas, by its operators and the
	// section heads who check data; nobody at a counter.
	OpDedupVerdict:     {odin, ks, kd},
	OpBundle:           {okec, omob, odin, adb},
	OpNodeRead:         {pp, si, okec, omob, odin, ks, kd, adb, pd},
	OpNodeAdmin:        {adb},
	OpClusterAdmin:     {adb},
	OpAccountAdmin:     {adb},
	OpAuditRead:        {ks, kd, adb},
	OpInstitutionAdmin: {kd, adb},
	OpInstitutionRead:  {ks, kd, adb},
}

// Allowed reports whether the session holds a role allowed op. An
// operation missing from the table is refused: a new RPC is closed until
// someone decides who may call it.
func Allowed(s Session, op string) bool {
	return slices.ContainsFunc(Permissions[op], s.HasRole)
}

// Holders names, in Bahasa, the roles allowed op ("Operator Kecamatan,
// Kepala Seksi atau ADB SIAK"): a refusal says who to ask, so an officer
// is not left guessing.
func Holders(op string) string {
	roles := Permissions[op]
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Title()
	}
	switch len(names) {
	case 0:
		return "tidak seorang pun"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " atau " + names[len(names)-1]
}
