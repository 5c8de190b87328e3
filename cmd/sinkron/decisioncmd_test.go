package main

import (
	"regexp"
	"strings"
	"testing"
)

// nikRe finds the NIK in the answer, as JSON or for an officer.
var nikRe = regexp.MustCompile(`(?i)"?nik"?:\s*"?(\d{16})`)

// A retried `sinkron decide nik` never mints a second NIK: run again for
// the same subject (the same command, or with a date corrected) it answers
// with the NIK the subject holds; another subject gets its own.
func TestDecideNIKTwiceGivesOneNIK(t *testing.T) {
	dinas := serveOffice(t, false)
	t.Setenv("SINKRON_TOKEN", dinas.token)
	decide := func(subject, birth string) string {
		t.Helper()
		t.Setenv("SINKRON_TOKEN", dinas.token)
		t.Setenv("SINKRON_ADDR", dinas.addr)
		out, err := runEnv(t, "decide", "nik", "--wilayah", "180601", "--lahir", birth, "--subjek", subject)
		if err != nil {
			t.Fatalf("decide nik %s: %v", subject, err)
		}
		m := nikRe.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("decide nik %s printed no NIK:\n%s", subject, out)
		}
		return m[1]
	}
	first := decide("warga-1", "1990-08-17")
	for _, tc := range []struct{ name, subject, birth string }{
		{"retried", "warga-1", "1990-08-17"},
		{"date corrected", "warga-1", "1990-08-18"},
	} {
		if got := decide(tc.subject, tc.birth); got != first {
			t.Errorf("%s: NIK %s, the subject holds %s", tc.name, got, first)
		}
	}
	if other := decide("warga-2", "1990-08-17"); other == first {
		t.Errorf("another subject got the same NIK %s", other)
	}
	if _, err := runEnv(t, "decide", "nik", "--wilayah", "180601", "--lahir", "1990-08-17"); err == nil {
		t.Error("decide nik without --subjek was taken")
	}
	// The reads answer an officer in words, too.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"decide", "lookup", "--nik", first}, "warga-1"},
		{[]string{"decide", "lookup", "--nik", "1806011708909999"}, "belum diberikan"},
		{[]string{"decide", "active-card", "--nik", first}, "tidak memiliki KTP-el aktif"},
	} {
		out, err := runEnv(t, tc.args...)
		if err != nil || !strings.Contains(out, tc.want) || strings.Contains(out, "{") {
			t.Errorf("sinkron %s: %v\n%s", strings.Join(tc.args, " "), err, out)
		}
	}
}

// A NIK from the office's lease, given offline, is one per subject too: a
// retried `decide nik-from-lease` answers with the NIK the subject holds.
func TestNIKFromLeaseTwiceGivesOneNIK(t *testing.T) {
	k := serveOffice(t, true)
	t.Setenv("SINKRON_ADDR", k.addr)
	t.Setenv("SINKRON_TOKEN", k.token)
	if _, err := runEnv(t, "decide", "lease", "--wilayah", "180601", "--jumlah", "5"); err != nil {
		t.Fatal(err)
	}
	var first string
	waitFor(t, func() bool { // the lease comes back with the next sync
		out, err := runEnv(t, "decide", "nik-from-lease", "--wilayah", "180601", "--lahir", "1990-08-17", "--subjek", "w2")
		if m := nikRe.FindStringSubmatch(out); err == nil && m != nil {
			first = m[1]
		}
		return first != ""
	})
	for _, birth := range []string{"1990-08-17", "1991-02-03"} {
		out, err := runEnv(t, "decide", "nik-from-lease", "--wilayah", "180601", "--lahir", birth, "--subjek", "w2")
		if m := nikRe.FindStringSubmatch(out); err != nil || m == nil || m[1] != first {
			t.Errorf("again (born %s): %v\n%s\nthe subject holds %s", birth, err, out, first)
		}
	}
	out, err := runEnv(t, "decide", "nik-from-lease", "--wilayah", "180601", "--lahir", "1990-08-17", "--subjek", "w3")
	if m := nikRe.FindStringSubmatch(out); err != nil || m == nil || m[1] == first {
		t.Errorf("another subject: %v\n%s", err, out)
	}
}

// A dinas officer records a recording's duplicate-check verdict from the
// CLI; the same command again finds the first verdict, and a verdict that
// is not one of the three is refused.
func TestDecideVerdict(t *testing.T) {
	dinas := serveOffice(t, false)
	t.Setenv("SINKRON_TOKEN", dinas.token)
	t.Setenv("SINKRON_ADDR", dinas.addr)
	first, err := runEnv(t, "decide", "verdict", "--perekaman", "06H51XV30TCD1K1M", "--putusan", "unik")
	if err != nil || !strings.Contains(first, "unik") {
		t.Fatalf("decide verdict: %v\n%s", err, first)
	}
	again, err := runEnv(t, "decide", "verdict", "--perekaman", "06H51XV30TCD1K1M", "--putusan", "unik")
	if err != nil || again != first {
		t.Fatalf("the same verdict again: %v\n%s\nwant the first:\n%s", err, again, first)
	}
	for _, args := range [][]string{
		{"--perekaman", "06H51XV30TCD1K1N", "--putusan", "mungkin"},
		{"--perekaman", "06H51XV30TCD1K1N", "--putusan", "duplikat"}, // without the NIK it matches
	} {
		if _, err := runEnv(t, append([]string{"decide", "verdict"}, args...)...); err == nil || !strings.Contains(err.Error(), "putusan") && !strings.Contains(err.Error(), "nik_ganda") {
			t.Fatalf("decide verdict %v: %v, want refused with the field named", args, err)
		}
	}
}
