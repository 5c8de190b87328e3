package account

import (
	"strings"
	"testing"

	"github.com/sinkron-id/sinkron/node/catalog"
)

// columns of permissionSpec, every catalog role.
var columns = []catalog.Role{
	catalog.PetugasPendukung, catalog.StafInformasi, catalog.OperatorKecamatan, catalog.OperatorMobile,
	catalog.OperatorDinas, catalog.KepalaSeksi, catalog.KasiData, catalog.ADBSIAK,
	catalog.PetugasPendistribusian, catalog.Pemohon,
}

// permissionSpec is the table written out as a grid, independent of the
// Permissions map: x allowed, . refused.
//
//	pp si ok om od ks kd adb pd pemohon
var permissionSpec = map[string]string{
	OpRequestCreate:   "x  x  .  x  .  .  .  .   .  .",
	OpRequestRead:     "x  x  x  x  x  x  x  x   x  .",
	OpRequestApprove:  "x  x  x  x  x  x  x  .   .  .",
	OpRequestStep:     "x  x  x  x  x  x  x  x   x  .",
	OpConflictResolve: ".  .  x  .  x  x  x  x   .  .",
	OpRegistryRead:    "x  x  x  x  x  x  x  x   .  .",
	OpRegistryWrite:   ".  .  x  .  x  .  x  x   .  .",
	OpKKIssue:         ".  .  .  .  x  x  .  .   .  .",
	OpDecisionTake:    ".  .  x  .  x  x  x  x   .  .",
	OpDecisionRead:    "x  x  x  x  x  x  x  x   x  .",
	OpDedupVerdict:    ".  .  .  .  x  x  x  .   .  .",
	OpBundle:          ".  .  x  x  x  .  .  x   .  .",
	OpNodeRead:        "x  x  x  x  x  x  x  x   x  .",
	OpNodeAdmin:       ".  .  .  .  .  .  .  x   .  .",
	OpClusterAdmin:    ".  .  .  .  .  .  .  x   .  .",
	OpAccountAdmin:    ".  .  .  .  .  .  .  x   .  .",
	OpAuditRead:       ".  .  .  .  .  x  x  x   .  .",

	OpInstitutionAdmin: ".  .  .  .  .  .  x  x   .  .",
	OpInstitutionRead:  ".  .  .  .  .  x  x  x   .  .",
}

// Every operation × every role, allowed or refused as specified.
func TestPermissionTable(t *testing.T) {
	if len(columns) != len(catalog.Roles()) {
		t.Fatalf("a role is missing from the grid: %v", catalog.Roles())
	}
	for op := range Permissions {
		if _, ok := permissionSpec[op]; !ok {
			t.Errorf("operation %s has no row in the spec", op)
		}
	}
	for op, row := range permissionSpec {
		marks := strings.Fields(row)
		if len(marks) != len(columns) {
			t.Fatalf("%s: %d marks", op, len(marks))
		}
		for i, r := range columns {
			want := marks[i] == "x"
			if got := Allowed(Session{Username: "u", Roles: []catalog.Role{r}}, op); got != want {
				t.Errorf("%s by %s: allowed=%v, want %v", op, r, got, want)
			}
		}
	}
}

func TestPermissionEdges(t *testing.T) {
	all := Session{Username: "u", Roles: catalog.Roles()}
	if Allowed(all, "request.delete") {
		t.Error("an operation missing from the table is allowed")
	}
	for op := range Permissions {
		if Allowed(Session{Username: "u"}, op) {
			t.Errorf("%s allowed without roles", op)
		}
		if !Allowed(Session{Username: "u", Roles: []catalog.Role{catalog.Pemohon, Permissions[op][0]}}, op) {
			t.Errorf("%s: one allowed role among others is enough", op)
		}
	}
}

// Whoever performs or records a step in the catalog may complete steps
// and read requests; the engine then checks the step's exact role.
func TestStepRolesMayStep(t *testing.T) {
	for _, svc := range catalog.All() {
		for _, p := range svc.Paths {
			for _, st := range p.Steps {
				for _, r := range []catalog.Role{st.Role, st.RecordedBy} {
					if r == "" || r == catalog.Pemohon {
						continue
					}
					s := Session{Username: "u", Roles: []catalog.Role{r}}
					if !Allowed(s, OpRequestStep) || !Allowed(s, OpRequestRead) {
						t.Errorf("%s/%s step %s: %s may not step or read", svc.Name, p.Name, st.Name, r)
					}
				}
			}
		}
	}
}
