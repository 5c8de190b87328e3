package netlab

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestConditionsJSON(t *testing.T) {
	in := Link{Profile: "3g-kecamatan", Up: Conditions{RateKbit: 256, Delay: 150 * time.Millisecond, Jitter: 20 * time.Millisecond, Loss: 1}, Down: Conditions{Cut: true, Queue: time.Second}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"delay":"150ms"`) {
		t.Errorf("durations should read as strings: %s", b)
	}
	var out Link
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("round trip: %+v, want %+v", out, in)
	}
	if err := json.Unmarshal([]byte(`{"up":{"delay":"soon"}}`), &out); err == nil || !strings.Contains(err.Error(), "delay") {
		t.Errorf("bad duration: %v", err)
	}
}

func TestConditionsValidate(t *testing.T) {
	for _, tc := range []struct {
		c   Conditions
		bad string
	}{
		{Conditions{}, ""},
		{Conditions{RateKbit: 256, Delay: time.Second, Loss: 100, Reorder: 0}, ""},
		{Conditions{RateKbit: -1}, "rate"},
		{Conditions{Delay: -time.Second}, "negative"},
		{Conditions{Loss: 101}, "loss"},
		{Conditions{Reorder: -1}, "reorder"},
	} {
		err := tc.c.Validate()
		if (err != nil) != (tc.bad != "") || (err != nil && !strings.Contains(err.Error(), tc.bad)) {
			t.Errorf("%+v: %v, want error about %q", tc.c, err, tc.bad)
		}
	}
	if err := Direction("sideways").Validate(); err == nil {
		t.Error("direction sideways accepted")
	}
}

func TestProfiles(t *testing.T) {
	for _, name := range ProfileNames() {
		l, err := Profile(name)
		if err != nil || l.Validate() != nil || l.Profile != name {
			t.Errorf("profile %s: %+v, %v", name, l, err)
		}
	}
	if _, err := Profile("5g"); err == nil {
		t.Error("unknown profile accepted")
	}
	// Changing a returned map must not change the profiles.
	Profiles()["vsat"] = Link{}
	if l, _ := Profile("vsat"); l.Down.RateKbit != 1024 {
		t.Error("profiles are shared state")
	}
}

func TestSpecValidate(t *testing.T) {
	ok := []OfficeSpec{{Name: "kota-agung"}, {Name: "pugung"}}
	for _, tc := range []struct {
		name string
		spec Spec
		bad  string
	}{
		{"defaults", Spec{Offices: ok}, ""},
		{"empty prefix would match everything", Spec{Prefix: "-", Offices: ok}, "prefix"},
		{"prefix must end in -", Spec{Prefix: "sk", Offices: ok}, "prefix"},
		{"no offices", Spec{}, "at least one"},
		{"hub name taken", Spec{Offices: []OfficeSpec{{Name: "core"}}}, "core"},
		{"odd name", Spec{Offices: []OfficeSpec{{Name: "Kota Agung"}}}, "name"},
		{"twice", Spec{Offices: []OfficeSpec{{Name: "a"}, {Name: "a"}}}, "twice"},
		{"bad link", Spec{Offices: []OfficeSpec{{Name: "a", Link: Link{Up: Conditions{Loss: -1}}}}}, "loss"},
		{"subnet too small", Spec{Subnet: netip.MustParsePrefix("10.9.0.0/30"), Offices: ok}, "no room"},
		{"ipv6 subnet", Spec{Subnet: netip.MustParsePrefix("fd00::/64"), Offices: ok}, "IPv4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.spec.withDefaults().validate()
			if (err != nil) != (tc.bad != "") || (err != nil && !strings.Contains(err.Error(), tc.bad)) {
				t.Errorf("%v, want error about %q", err, tc.bad)
			}
		})
	}
}

func TestAddresses(t *testing.T) {
	sub := netip.MustParsePrefix(DefaultSubnet)
	if got := hubAddr(sub); got != netip.MustParseAddr("10.77.0.1") {
		t.Errorf("hub %v", got)
	}
	for i, want := range map[int]string{0: "10.77.0.2", 253: "10.77.0.255", 254: "10.77.1.0"} {
		if got, err := officeAddr(sub, i); err != nil || got.String() != want {
			t.Errorf("office %d: %v %v, want %s", i, got, err, want)
		}
	}
}
