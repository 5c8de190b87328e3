package lab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// Counter is a kecamatan's counter software: residents come one after
// another, each files a Sinkronisasi Data request with photos of the KK
// and KTP-el, and the officer verifies it (approves, or cancels one in
// CancelEvery). One in NIKEvery also gets a NIK from the office's lease,
// which works offline.
type Counter struct {
	Office      string
	Requests    int
	PhotoBytes  int
	CancelEvery int
	NIKEvery    int
	// Interval is the pause between residents; zero files as fast as the
	// API allows ("a week at speed").
	Interval time.Duration
	Seed     uint64
}

// residentNIK and residentKK are a valid resident's (the requests do not
// need distinct ones: Sinkronisasi Data changes no registry record).
const (
	residentNIK = "1806015708900003"
	residentKK  = "1806010101150007"
)

// Run serves c.Requests residents, recording what the node acknowledged.
// A call that fails because the node is down is retried until it answers.
func (c Counter) Run(ctx context.Context, l *Lab, g *Ledger) error {
	loket, err := l.Officer(c.Office, CounterUser(c.Office))
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(c.Seed, uint64(len(c.Office))))
	for i := range c.Requests {
		if err := c.serve(ctx, l, g, loket, rng, i); err != nil {
			return fmt.Errorf("counter %s, resident %d: %w", c.Office, i, err)
		}
		if c.Interval > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(c.Interval):
			}
		}
	}
	return nil
}

// serve files one request and verifies it.
func (c Counter) serve(ctx context.Context, l *Lab, g *Ledger, loket *Client, rng *rand.Rand, i int) error {
	kk, ktp := Photo(rng, c.PhotoBytes), Photo(rng, c.PhotoBytes)
	msg := &v1.CreateRequestRequest{
		ApplicantName: residentName(i), Nik: residentNIK, Kk: residentKK,
		Problem: fmt.Sprintf("NIK tidak ditemukan di BPJS (%s/%d)", c.Office, i), Whatsapp: "081234567890",
		Officer: "Petugas Loket", Channel: v1.Channel_CHANNEL_LANGSUNG,
		Documents: []*v1.DocumentUpload{
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: kk},
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: ktp},
		},
	}
	var id string
	err := retry(ctx, func(ctx context.Context) error {
		r, err := loket.Request.CreateRequest(ctx, connect.NewRequest(msg))
		if err == nil {
			id = r.Msg.Request.Id
		}
		return err
	})
	if err != nil {
		return err
	}
	g.filed(id, c.Office, 2, len(kk)+len(ktp))
	to, status, note := v1.Status_STATUS_DISETUJUI, "Disetujui", ""
	if c.CancelEvery > 0 && i%c.CancelEvery == c.CancelEvery-1 {
		to, status, note = v1.Status_STATUS_DIBATALKAN, "Dibatalkan", "foto KK tidak terbaca"
	}
	if err := transition(ctx, loket, g, id, to, status, string(catalog.PetugasPendukung), note); err != nil {
		return err
	}
	if c.NIKEvery > 0 && i%c.NIKEvery == 0 {
		return c.leaseNIK(ctx, l, g, i)
	}
	return nil
}

// transition moves a request and records the change once acknowledged.
func transition(ctx context.Context, c *Client, g *Ledger, id string, to v1.Status, status, role, note string) error {
	err := retry(ctx, func(ctx context.Context) error {
		_, err := c.Request.TransitionRequest(ctx, connect.NewRequest(&v1.TransitionRequestRequest{
			Id: id, To: to, Role: role, Note: note, Officer: c.User}))
		return err
	})
	if err == nil {
		g.changed(id, "status:"+status)
	}
	return err
}

// leaseNIK hands a resident a NIK from the office's lease.
func (c Counter) leaseNIK(ctx context.Context, l *Lab, g *Ledger, i int) error {
	op, err := l.Officer(c.Office, OperatorUser(c.Office))
	if err != nil {
		return err
	}
	o, _ := l.State.office(c.Office)
	subject := fmt.Sprintf("warga-%s-%d", c.Office, i)
	var nik string
	err = retry(ctx, func(ctx context.Context) error {
		r, err := op.Decision.AssignNIKFromLease(ctx, connect.NewRequest(&v1.AssignNIKFromLeaseRequest{
			Region: o.Region, BirthDate: "1990-08-17", Female: i%2 == 0, Subject: subject}))
		if err == nil {
			nik = r.Msg.Nik
		}
		return err
	})
	if err != nil {
		g.count(func(g *Ledger) { g.Refused++ }) // the lease ran out: not a fault
		return nil
	}
	g.nik(nik, subject)
	return nil
}

// Lease asks the dinas for a block of n NIK slots for the office, through
// its node, and waits until the decision has reached it.
func Lease(ctx context.Context, l *Lab, office string, n int) error {
	op, err := l.Officer(office, OperatorUser(office))
	if err != nil {
		return err
	}
	o, err := l.State.office(office)
	if err != nil {
		return err
	}
	r, err := op.Decision.RequestLease(ctx, connect.NewRequest(&v1.RequestLeaseRequest{Region: o.Region, Count: uint32(n)}))
	if err != nil {
		return fmt.Errorf("lab: lease at %s: %w", office, err)
	}
	return poll(ctx, 2*time.Minute, func() error {
		_, err := op.Decision.GetDecision(ctx, connect.NewRequest(&v1.GetDecisionRequest{Key: r.Msg.Key}))
		return err
	})
}

// retry runs fn until it succeeds, is refused for a reason that retrying
// cannot change, or ctx ends. A node that is down, paused or restarting
// answers Unavailable, Unknown or nothing at all.
func retry(ctx context.Context, fn func(context.Context) error) error {
	for {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		err := fn(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// retryable reports whether a call failed because the node is down,
// paused, restarting or between leaders, so that sending it again (with
// the same idempotency key) may succeed.
//
// A connection the killed node's kernel reset while the request was being
// written reaches us as "canceled" with a network error inside, although
// the caller canceled nothing; it is as retryable as "unavailable".
func retryable(err error) bool {
	switch connect.CodeOf(err) {
	case connect.CodeUnavailable, connect.CodeUnknown, connect.CodeDeadlineExceeded, connect.CodeUnauthenticated:
		return true
	}
	var netErr *net.OpError
	return errors.As(err, &netErr)
}

// callTimeout bounds one call: a paused node accepts and never answers.
const callTimeout = 20 * time.Second

// poll runs fn until it succeeds or patience runs out.
func poll(ctx context.Context, patience time.Duration, fn func() error) error {
	deadline := time.Now().Add(patience)
	for {
		err := fn()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// residentName is a resident's name (the form takes letters only).
func residentName(i int) string {
	first := []string{"Siti", "Budi", "Ahmad", "Dewi", "Rina", "Agus", "Sri", "Joko", "Nur", "Eko", "Wati", "Hendra"}
	last := []string{"Aminah", "Santoso", "Lestari", "Saputra", "Wahyuni", "Hidayat", "Rahayu", "Pratama", "Susanti", "Kurniawan"}
	return first[i%len(first)] + " " + last[(i/len(first))%len(last)]
}
