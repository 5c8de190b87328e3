package request

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// A request read from the cache is the one the bytes hold, and changing
// what a reader got never changes what the next reader gets.
func TestDecodedIsACopy(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := Request{ID: "06H5", Service: ServiceName, Fields: map[string]string{"nik": rapid.StringN(0, 16, 16).Draw(t, "nik")}}
		for i := range rapid.IntRange(0, 4).Draw(t, "steps") {
			r.Steps = append(r.Steps, Step{StepDef: StepDef{Name: "s", Waits: []string{"nik"}, Inputs: []string{"iso-template"}},
				Awaiting: []string{"k"}, Decisions: []Decided{{Key: "k", NIK: "1"}}, Inputs: []Document{{Name: "x"}}, Done: i%2 == 0})
		}
		for range rapid.IntRange(0, 3).Draw(t, "history") {
			r.History = append(r.History, Change{Status: Baru, At: time.Unix(0, 0).UTC()})
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		d := newDecoded()
		first, err := d.request(r.ID, b)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := d.request(r.ID, b) // from the cache
		if !reflect.DeepEqual(first, want) {
			t.Fatalf("cached %+v, decoded %+v", want, first)
		}
		want.Fields["nik"] = "changed"
		for i := range want.Steps {
			want.Steps[i].Waits[0], want.Steps[i].Decisions[0].NIK, want.Steps[i].Done = "x", "x", !want.Steps[i].Done
		}
		want.History = append(want.History, Change{Status: Selesai})
		again, _ := d.request(r.ID, b)
		if !reflect.DeepEqual(first, again) {
			t.Fatalf("a reader's change reached the cache: %+v", again)
		}
	})
}
