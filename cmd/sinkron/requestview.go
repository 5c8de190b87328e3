package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"google.golang.org/protobuf/proto"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// requestOf is the request a response carries (create, get, approve, step,
// resolve all answer with one), or nil.
func requestOf(m proto.Message) *v1.Request {
	switch r := m.(type) {
	case *v1.Request:
		return r
	case interface{ GetRequest() *v1.Request }:
		return r.GetRequest()
	}
	return nil
}

// request prints a request as the counter reads it: who and what, where it
// stands, then its steps and its history as tables.
func (v *view) request(r *v1.Request) error {
	tw := tabwriter.NewWriter(v.out, 0, 4, 2, ' ', 0)
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", label, value)
		}
	}
	service := r.Service
	if r.Path != "" {
		service += " (jalur " + r.Path + ")"
	}
	line("ID", r.Id)
	line("Layanan", service)
	line("Status", statusLabel(r.Status))
	line("Langkah kini", atStep(r))
	line("Pemohon", r.ApplicantName)
	line("NIK", r.Nik)
	line("Nomor KK", r.Kk)
	line("Permasalahan", r.Problem)
	line("WhatsApp", r.Whatsapp)
	line("Saluran", enumLabel(r.Channel.String()))
	line("Kantor", r.Office)
	line("Berkas di", r.Holder)
	line("Dibuat", v.when(r.CreatedAt))
	line("Diperbarui", v.when(r.UpdatedAt))
	if r.Conflict {
		var fields []string
		for _, c := range r.Conflicts {
			fields = append(fields, c.Field)
		}
		line("Konflik", "ya: "+strings.Join(fields, ", ")+" (sinkron request resolve)")
	}
	if len(r.Documents) > 0 {
		var docs []string
		for _, d := range r.Documents {
			name := d.Name
			if name == "" {
				name = enumLabel(d.Kind.String())
			}
			if !d.Available {
				name += " (belum diterima)"
			}
			docs = append(docs, name)
		}
		line("Dokumen", strings.Join(docs, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Fields) > 0 {
		fmt.Fprintln(v.out, "\nIsian:")
		keys := make([]string, 0, len(r.Fields))
		for k := range r.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(tw, "  %s:\t%s\n", k, r.Fields[k])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Steps) > 0 {
		fmt.Fprintln(v.out, "\nLangkah:")
		fmt.Fprintln(tw, "  NO\tLANGKAH\tPERAN\tKANTOR\tKEADAAN\tPETUGAS\tWAKTU\tCATATAN")
		for i, st := range r.Steps {
			at := "-"
			if st.Done || st.Waiting {
				at = v.when(st.At)
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, st.Name, st.Role, dash(st.Office), stepState(st), dash(st.Officer), at, st.Note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if notes := stepNotes(r.Steps); len(notes) > 0 {
			fmt.Fprintln(v.out, "\nKeputusan dan perubahan data penduduk:")
			for _, n := range notes {
				fmt.Fprintln(tw, "  "+n)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	if len(r.History) > 0 {
		fmt.Fprintln(v.out, "\nRiwayat:")
		fmt.Fprintln(tw, "  WAKTU\tSTATUS\tPETUGAS\tKANTOR\tCATATAN")
		for _, c := range r.History {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", v.when(c.At), statusLabel(c.Status), c.Officer, c.Office, c.Note)
		}
		return tw.Flush()
	}
	return nil
}

// stepState is where a step stands, in words.
func stepState(st *v1.Step) string {
	switch {
	case st.Done && st.EffectError != "" && !st.EffectDone && st.EffectNote == "":
		return "selesai; perubahan data GAGAL"
	case st.Done && st.Result != "":
		return "selesai: " + st.Result
	case st.Done:
		return "selesai"
	case st.Waiting:
		return "menunggu keputusan"
	case st.Overdue:
		return "terlambat"
	}
	return "belum"
}

// stepNotes are, per step, the dinas decisions it was given and its change
// to the resident registry: a change that failed must be seen at the
// counter, with its error, until it is applied or settled.
func stepNotes(steps []*v1.Step) []string {
	var out []string
	for _, st := range steps {
		for _, d := range st.Decisions {
			out = append(out, fmt.Sprintf("%s:\tkeputusan %s no. %d\t%s", st.Name, d.Kind, d.Number, decisionWords(d)))
		}
		if st.Effect == "" {
			continue
		}
		state := "menunggu"
		switch {
		case st.EffectDone:
			state = "diterapkan"
		case st.EffectNote != "":
			state = "diselesaikan petugas: " + st.EffectNote
		case st.EffectError != "":
			state = "GAGAL: " + st.EffectError + " (node mencoba lagi tiap menit)"
		}
		out = append(out, fmt.Sprintf("%s:\tperubahan %s\t%s", st.Name, st.Effect, state))
	}
	return out
}

// decisionWords is what a decision gave: a number, a verdict or a refusal.
func decisionWords(d *v1.StepDecision) string {
	var parts []string
	if d.Refused != "" {
		return "ditolak: " + d.Refused
	}
	if d.Nik != "" {
		parts = append(parts, "NIK "+d.Nik)
	}
	if d.Kk != "" {
		parts = append(parts, "Nomor KK "+d.Kk)
	}
	if d.CardSerial != 0 {
		parts = append(parts, fmt.Sprintf("blangko %d", d.CardSerial))
	}
	if d.Verdict != "" {
		parts = append(parts, "putusan "+d.Verdict)
	}
	if d.DuplicateOfNik != "" {
		parts = append(parts, "duplikat dari NIK "+d.DuplicateOfNik)
	}
	if len(parts) == 0 {
		return "diterima"
	}
	return strings.Join(parts, ", ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
