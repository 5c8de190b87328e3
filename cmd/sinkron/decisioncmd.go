package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/proto"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// clusterClient operates the dinas Raft group.
func clusterClient(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	cn := clientFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("usage: sinkron cluster status|transfer [PEER]|add-voter PEER|add-nonvoter PEER|remove PEER")
	}
	cl := cn.dial()
	c := sinkronv1connect.NewClusterServiceClient(cl.hc, cl.base)
	peerArg := ""
	if len(pos) > 1 {
		peerArg = pos[1]
	}
	m := connect.NewRequest(&v1.MembershipRequest{PeerId: peerArg})
	var r *connect.Response[v1.ClusterStatus]
	switch pos[0] {
	case "status":
		r, err = c.GetClusterStatus(ctx, connect.NewRequest(&v1.GetClusterStatusRequest{}))
	case "transfer":
		r, err = c.TransferLeadership(ctx, m)
	case "add-voter":
		r, err = c.AddVoter(ctx, m)
	case "add-nonvoter":
		r, err = c.AddNonvoter(ctx, m)
	case "remove":
		r, err = c.RemoveServer(ctx, m)
	default:
		return fmt.Errorf("unknown cluster command %q", pos[0])
	}
	if err != nil || *cn.json {
		return reply(newView(ctx, cn, out), r, err)
	}
	return clusterTable(out, r.Msg)
}

func clusterTable(out io.Writer, s *v1.ClusterStatus) error {
	fmt.Fprintf(out, "pemimpin %s  masa %d  komit %d  diterapkan %d  keputusan %d\n", s.Leader, s.Term, s.CommitIndex, s.AppliedIndex, s.Decisions)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tKANTOR\tHAK SUARA\tDITERAPKAN\tTERTINGGAL\tTERJANGKAU")
	for _, sv := range s.Servers {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", sv.PeerId, sv.Office, sv.Suffrage, sv.AppliedIndex, sv.Lag, yaTidak(sv.Reachable))
	}
	return tw.Flush()
}

// nikKey is the idempotency key of `decide nik` when none is given: the
// same command typed again (a retry after a timeout) is the same decision,
// while a corrected one (another date) is a new command, which the dinas
// answers with the NIK the subject already holds.
func nikKey(region, birth string, female bool, subject string) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%t\x00%s", region, birth, female, subject))
	return "cli/nik/" + hex.EncodeToString(h[:12])
}

// decideClient takes dinas decisions and reads them back.
func decideClient(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("decide", flag.ContinueOnError)
	cn := clientFlags(fs)
	key := fs.String("key", "", "idempotency key (retry with the same key)")
	region := fs.String("wilayah", "", "6-digit kecamatan code")
	birth := fs.String("lahir", "", "birth date YYYY-MM-DD")
	female := fs.Bool("perempuan", false, "female (+40 on the day)")
	subject := fs.String("subjek", "", "what the NIK is for")
	enrollment := fs.String("perekaman", "", "the recording's request ID (verdict)")
	verdict := fs.String("putusan", "", "unik, duplikat or adjudikasi (verdict)")
	duplicateOf := fs.String("nik-ganda", "", "the NIK a duplikat recording matches (verdict)")
	nik := fs.String("nik", "", "NIK")
	station := fs.String("stasiun", "dinas-cetak-1", "print station")
	count := fs.Uint("jumlah", 10, "how many serials")
	blank := fs.Uint64("blangko", 0, "blank card serial")
	peerID := fs.String("peer", "", "peer ID of the office node (roster-add)")
	office := fs.String("kantor", "", "office name (roster-add)")
	role := fs.String("peran", "kecamatan", "dinas, kecamatan or mobile (roster-add)")
	var addrs multi
	fs.Var(&addrs, "alamat", "listen multiaddr of the node (roster-add, repeatable)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("usage: sinkron decide nik|verdict|lookup|blanks|card|active-card|lease|nik-from-lease|roster-add|roster-retire|get KEY")
	}
	cl := cn.dial()
	c := sinkronv1connect.NewDecisionServiceClient(cl.hc, cl.base)
	var r any
	switch pos[0] {
	case "nik":
		if *subject == "" {
			return fmt.Errorf("decide nik: --subjek wajib diisi (untuk siapa NIK ini), agar perintah yang diulang tidak memberi NIK kedua")
		}
		if *key == "" {
			*key = nikKey(*region, *birth, *female, *subject)
		}
		r, err = c.AssignNIK(ctx, connect.NewRequest(&v1.AssignNIKRequest{Key: *key, Region: *region, BirthDate: *birth, Female: *female, Subject: *subject}))
	case "lookup":
		l, lerr := c.LookupNIK(ctx, connect.NewRequest(&v1.LookupNIKRequest{Nik: *nik}))
		if lerr != nil {
			return lerr
		}
		if !l.Msg.Found && !*cn.json {
			_, err = fmt.Fprintf(out, "NIK %s belum diberikan kepada siapa pun.\n", *nik)
			return err
		}
		r = l
	case "verdict":
		r, err = c.RecordDedupVerdict(ctx, connect.NewRequest(&v1.RecordDedupVerdictRequest{Key: *key, Enrollment: *enrollment,
			Verdict: *verdict, DuplicateOfNik: *duplicateOf}))
	case "blanks":
		r, err = c.AllocateBlankSerials(ctx, connect.NewRequest(&v1.AllocateBlankSerialsRequest{Key: *key, Station: *station, Count: uint32(*count)}))
	case "card":
		r, err = c.IssueCard(ctx, connect.NewRequest(&v1.IssueCardRequest{Key: *key, Nik: *nik, BlankSerial: *blank}))
	case "active-card":
		a, aerr := c.GetActiveCard(ctx, connect.NewRequest(&v1.GetActiveCardRequest{Nik: *nik}))
		if aerr != nil {
			return aerr
		}
		if a.Msg.BlankSerial == 0 && !*cn.json {
			_, err = fmt.Fprintf(out, "NIK %s tidak memiliki KTP-el aktif.\n", *nik)
			return err
		}
		r = a
	case "lease":
		r, err = c.RequestLease(ctx, connect.NewRequest(&v1.RequestLeaseRequest{Region: *region, Count: uint32(*count)}))
	case "nik-from-lease":
		r, err = c.AssignNIKFromLease(ctx, connect.NewRequest(&v1.AssignNIKFromLeaseRequest{Region: *region, BirthDate: *birth, Female: *female, Subject: *subject}))
	case "roster-add", "roster-retire":
		op := map[string]string{"roster-add": "tambah", "roster-retire": "pensiun"}[pos[0]]
		r, err = c.ChangeRoster(ctx, connect.NewRequest(&v1.ChangeRosterRequest{Key: *key, Op: op, PeerId: *peerID, Office: *office, Role: *role, Region: *region, Addrs: addrs}))
	case "get":
		if len(pos) < 2 {
			return fmt.Errorf("decide get: give the key")
		}
		r, err = c.GetDecision(ctx, connect.NewRequest(&v1.GetDecisionRequest{Key: pos[1]}))
	default:
		return fmt.Errorf("unknown decide command %q", pos[0])
	}
	if err != nil {
		return err
	}
	// r is the call's *connect.Response of whichever message it answers.
	return newView(ctx, cn, out).show(r.(interface{ Any() any }).Any().(proto.Message))
}
