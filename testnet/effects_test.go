package testnet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/request"
)

// A decided step whose registry change cannot apply yet is not only
// logged: a new resident who joins a family card the kecamatan does not
// hold yet gets their NIK, the request shows why the registry was not
// changed, the node's metric counts it, and the node tries again until the
// card is there and the resident is on it. An officer may settle one by
// hand instead, and says how.
func TestFailedRegistryEffectIsShownRetriedAndApplied(t *testing.T) {
	if testing.Short() {
		t.Skip("walks a service through real offices")
	}
	g := newRegency(t)
	kec := g.offices[catalog.Kecamatan]
	svc, _ := catalog.Lookup("ktp-el-baru")
	path, _ := svc.Path("online")
	values := FormValues(svc.Form)
	laterKK := fmt.Sprintf("1806011508150%03d", g.serial+1) // the card g.resident files below
	values["kk"], values["hubungan_keluarga"] = laterKK, "Anak"
	r := must[*request.Request](t)(kec.Requests.Create(request.Form{Service: svc.Name, Path: path.Name, Fields: values, Officer: "Budi", Documents: Uploads(svc, path.Name, values)}))
	verify, _ := path.Verification()
	must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Disetujui, Actor(verify), "berkas lengkap", "Budi"))
	must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Diproses, "", "", "Andi"))
	var nikStep catalog.Step
	for _, st := range path.Processing() {
		if _, err := kec.Requests.CompleteStep(r.ID, st.Name, Actor(st), "", "Petugas", StepInputs(st, 1)...); err != nil {
			t.Fatalf("step %s: %v", st.Name, err)
		}
		if st.Effect == catalog.EffectRegisterResident {
			nikStep = st
			break
		}
	}
	failed := g.awaitAt(t, kec, r.ID, func(q *request.Request) bool {
		st := q.Steps[indexOf(q, nikStep.Name)]
		return st.Done && st.EffectError != ""
	})
	st := failed.Steps[indexOf(failed, nikStep.Name)]
	if !st.EffectPending() || !strings.Contains(st.EffectError, laterKK) {
		t.Fatalf("the failed effect reads %+v, want pending with the missing KK named", st)
	}
	// The node counts the failure just after recording it on the request.
	waitFor(t, "sinkron_registry_effects_failed at 1", func() bool { return kec.Status().EffectsFailed == 1 })
	d, _ := failed.Decided(catalog.DecisionNIK)

	g.resident(t) // files laterKK, seen by every office
	if err := kec.RetryEffects(); err != nil {
		t.Fatal(err)
	}
	done := must[*request.Request](t)(kec.Requests.Get(r.ID))
	if st := done.Steps[indexOf(done, nikStep.Name)]; !st.EffectDone || st.EffectPending() {
		t.Fatalf("after the card arrived the effect is %+v, want done", st)
	}
	fam, err := kec.Residents.Family(laterKK)
	if err != nil {
		t.Fatal(err)
	}
	if _, on := fam.Member(d.NIK); !on {
		t.Fatalf("the new resident %s is not on KK %s: %+v", d.NIK, laterKK, fam)
	}
	if n := kec.Status().EffectsFailed; n != 0 {
		t.Fatalf("sinkron_registry_effects_failed = %d after the retry, want 0", n)
	}
	if _, err := kec.Requests.SettleEffect(r.ID, nikStep.Name, "sudah", "Andi"); err == nil {
		t.Fatal("an applied effect was settled again by hand")
	}
}

func indexOf(r *request.Request, step string) int {
	for i, s := range r.Steps {
		if s.Name == step {
			return i
		}
	}
	return -1
}
