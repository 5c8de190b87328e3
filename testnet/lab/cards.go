package lab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/testnet/printroom"
)

// PrintRoom is the dinas's KTP-el print room, driven through the
// DecisionService as its software would, by the Operator Dinas at the
// dinas servers: it gives a few residents a NIK, then prints their cards
// (a first card, then replacements, each revoking the card before),
// resends a print whose answer it doubts with the same key, has two
// officers print for one NIK at once, sends prints through a follower,
// and tries a blank already used. When a server fails to answer it sends
// the same call, with the same key, to the next server.
//
// Jobs run one at a time (two prints at once only within a job), so right
// after each job the NIK's active card is the one the job printed.
type PrintRoom struct {
	l *Lab
	g *Ledger
	// run makes this run's keys its own: a lab runs many scenarios, and a
	// key reused across runs would answer with an old decision.
	run     string
	servers []*Client

	mu     sync.Mutex
	rng    *rand.Rand
	niks   []string
	active map[string]uint64 // what the print room last printed per NIK
	blanks printroom.Blanks
	jobs   int // jobs started, for keys
	// order is the first round of drawn jobs, drawn counts draws.
	order []string
	drawn int
}

// Print room jobs, as recorded in Card.Job.
const (
	jobPrint    = "cetak"          // one card at a server the seed picks
	jobResend   = "kirim-ulang"    // the same print twice with one key
	jobTwice    = "bersamaan"      // two prints for one NIK at once
	jobFollower = "lewat-pengikut" // a print sent to a Raft follower
	jobUsed     = "blangko-bekas"  // a print on a used blank: refused
	jobKilled   = "saat-mati"      // a print sent first to a killed server
)

// drawnJobs are the jobs the print room draws; each comes once first, in
// an order the seed decides, so a short run still has every kind.
var drawnJobs = []string{jobPrint, jobResend, jobTwice, jobFollower, jobUsed}

// printResidents is how many residents the print room prints for: few,
// so most prints after the first round are replacements.
const printResidents = 4

// blankBox is how many blank serials the print room takes at once.
const blankBox = 10

// NewPrintRoom returns the print room of a run; seed draws its jobs, run
// (unique per run) prefixes its keys.
func NewPrintRoom(l *Lab, g *Ledger, seed uint64, run string) (*PrintRoom, error) {
	p := &PrintRoom{l: l, g: g, run: run, rng: rand.New(rand.NewPCG(seed, 0xca4d)), active: map[string]uint64{},
		order: slices.Clone(drawnJobs)}
	p.rng.Shuffle(len(p.order), func(i, j int) { p.order[i], p.order[j] = p.order[j], p.order[i] })
	for _, o := range l.State.Dinas() {
		c, err := l.Officer(o.Name, opDinas)
		if err != nil {
			return nil, err
		}
		p.servers = append(p.servers, c)
	}
	if len(p.servers) == 0 {
		return nil, errors.New("lab: the print room needs a dinas server")
	}
	return p, nil
}

// Prepare gives the print room's residents their NIKs (new residents
// whose first card it prints), recorded in the ledger like the
// kecamatan's, so nik-unik checks them too.
func (p *PrintRoom) Prepare(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.niks) > 0 {
		return nil // prepared already
	}
	kec := p.l.State.Kecamatan()
	for i := range printResidents {
		region := p.l.State.Dinas()[0].Region
		if len(kec) > 0 {
			region = kec[i%len(kec)].Region
		}
		subject := fmt.Sprintf("warga-cetak-%s-%d", p.run, i)
		birth := fmt.Sprintf("%04d-%02d-%02d", 1960+p.rng.IntN(46), 1+p.rng.IntN(12), 1+p.rng.IntN(28))
		female := p.rng.IntN(2) == 0
		d, _, err := p.decide(ctx, p.rng.IntN(len(p.servers)), func(ctx context.Context, c *Client) (*v1.Decision, error) {
			r, err := c.Decision.AssignNIK(ctx, connect.NewRequest(&v1.AssignNIKRequest{Key: p.key("nik", i),
				Region: region, BirthDate: birth, Female: female, Subject: subject, Officer: c.User}))
			return decisionOf(r, err)
		})
		if err != nil {
			return fmt.Errorf("print room: NIK for %s: %w", subject, err)
		}
		p.niks = append(p.niks, d.Nik)
		p.g.nik(d.Nik, subject)
	}
	return nil
}

// Run does n drawn jobs, pausing every between them, until ctx ends.
func (p *PrintRoom) Run(ctx context.Context, n int, every time.Duration) error {
	for range n {
		if err := p.Job(ctx, "", -1); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
	return nil
}

// Job does one job of the kind given ("" draws one), sending first to
// the server at that index (-1 draws one). It returns an error only when the run cannot go on;
// what the dinas did wrong goes into the ledger.
func (p *PrintRoom) Job(ctx context.Context, kind string, at int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.niks) == 0 {
		return errors.New("print room: no residents (Prepare first)")
	}
	if kind == "" {
		kind = p.draw()
	}
	if at < 0 {
		at = p.rng.IntN(len(p.servers))
	}
	p.jobs++
	nik := p.niks[p.rng.IntN(len(p.niks))]
	var err error
	switch kind {
	case jobResend:
		err = p.resend(ctx, nik, at)
	case jobTwice:
		err = p.twice(ctx, nik, at)
	case jobFollower:
		err = p.viaFollower(ctx, nik, at)
	case jobUsed:
		err = p.usedBlank(ctx, nik, at)
	default:
		_, err = p.print(ctx, kind, nik, at, "a")
	}
	if err != nil {
		return fmt.Errorf("print room, job %d (%s, NIK %s): %w", p.jobs, kind, nik, err)
	}
	return p.checkActive(ctx, nik, at)
}

// ServerIndex is the position of a dinas server among the print room's.
func (p *PrintRoom) ServerIndex(office string) int {
	for i, c := range p.servers {
		if c.Office.Name == office {
			return i
		}
	}
	return -1
}

// draw picks the next job: every kind once first, then mostly plain
// prints, as a print room's day is.
func (p *PrintRoom) draw() string {
	p.drawn++
	if p.drawn <= len(p.order) {
		return p.order[p.drawn-1]
	}
	if p.rng.IntN(2) == 0 {
		return jobPrint
	}
	return drawnJobs[1+p.rng.IntN(len(drawnJobs)-1)]
}

func (p *PrintRoom) key(what string, i int, tag ...string) string {
	k := fmt.Sprintf("lab/%s/%s/%d", p.run, what, i)
	for _, t := range tag {
		k += "/" + t
	}
	return k
}

// print prints one card for nik at server at and records it.
func (p *PrintRoom) print(ctx context.Context, job, nik string, at int, tag string) (printroom.Card, error) {
	blank, err := p.blank(ctx, at)
	if err != nil {
		return printroom.Card{}, err
	}
	c, err := p.issue(ctx, job, p.key("kartu", p.jobs, tag), nik, blank, at)
	if c.Key != "" {
		p.active[nik] = c.Serial
	}
	return c, err
}

// issue sends one IssueCard and records the card the dinas acknowledged.
// A refusal is recorded as a problem (the print room only uses its own
// fresh blanks here) and gives a Card without a key. Safe to call
// concurrently.
func (p *PrintRoom) issue(ctx context.Context, job, key, nik string, blank uint64, at int) (printroom.Card, error) {
	d, server, err := p.decide(ctx, at, func(ctx context.Context, c *Client) (*v1.Decision, error) {
		r, err := c.Decision.IssueCard(ctx, connect.NewRequest(&v1.IssueCardRequest{Key: key, Nik: nik,
			BlankSerial: blank, Reason: "pencetakan KTP-el", Officer: c.User}))
		return decisionOf(r, err)
	})
	if connect.CodeOf(err) == connect.CodeFailedPrecondition {
		p.g.cardProblem("print %s for %s on fresh blank %d refused at %s: %v", key, nik, blank, server, err)
		return printroom.Card{}, nil
	}
	if err != nil {
		return printroom.Card{}, err
	}
	c, prob := printroom.Issued(key, nik, blank, decided(d))
	if prob != "" {
		p.g.cardProblem("%s", prob)
	}
	c.Job, c.At = job, server
	p.g.card(c)
	return c, nil
}

// resend prints a card, then sends the very same print again with its
// key to another server, as software does when an answer was lost: the
// second answer must be the first decision, revoking nothing new.
func (p *PrintRoom) resend(ctx context.Context, nik string, at int) error {
	first, err := p.print(ctx, jobResend, nik, at, "ulang")
	if err != nil || first.Key == "" {
		return err
	}
	again := p.rng.IntN(len(p.servers))
	d, server, err := p.decide(ctx, again, func(ctx context.Context, c *Client) (*v1.Decision, error) {
		r, err := c.Decision.IssueCard(ctx, connect.NewRequest(&v1.IssueCardRequest{Key: first.Key, Nik: nik,
			BlankSerial: first.Serial, Reason: "pencetakan KTP-el", Officer: c.User}))
		return decisionOf(r, err)
	})
	switch {
	case connect.CodeOf(err) == connect.CodeFailedPrecondition:
		p.g.cardProblem("resent print %s for %s refused at %s: %v", first.Key, nik, server, err)
	case err != nil:
		return err
	default:
		if prob := printroom.Resent(first, decided(d)); prob != "" {
			p.g.cardProblem("%s (at %s)", prob, server)
		}
	}
	return nil
}

// twice has two officers print a card for one NIK at once, on two blanks
// with two keys, at two servers: Raft orders them and the later revokes
// the earlier.
func (p *PrintRoom) twice(ctx context.Context, nik string, at int) error {
	var blanks [2]uint64
	for j := range blanks {
		b, err := p.blank(ctx, at)
		if err != nil {
			return err
		}
		blanks[j] = b
	}
	ats := [2]int{at, at}
	if n := len(p.servers); n > 1 {
		ats[1] = (at + 1 + p.rng.IntN(n-1)) % n
	}
	var cards [2]printroom.Card
	var errs [2]error
	var wg sync.WaitGroup
	for j := range 2 {
		wg.Go(func() {
			cards[j], errs[j] = p.issue(ctx, jobTwice, p.key("kartu", p.jobs, fmt.Sprint(j)), nik, blanks[j], ats[j])
		})
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return err
	}
	a, b := cards[0], cards[1]
	switch {
	case a.Key == "" || b.Key == "": // refused: already a problem
		if a.Key != "" {
			p.active[nik] = a.Serial
		} else if b.Key != "" {
			p.active[nik] = b.Serial
		}
	default:
		active, prob := printroom.Concurrent(a, b)
		if prob != "" {
			p.g.cardProblem("%s", prob)
		} else {
			p.active[nik] = active
		}
	}
	return nil
}

// viaFollower asks a server who leads and prints at another one, which
// forwards the print to the leader.
func (p *PrintRoom) viaFollower(ctx context.Context, nik string, at int) error {
	follower, ok := p.follower(ctx, at)
	job := jobFollower
	if !ok {
		job, follower = jobPrint, at // no leader now: any server will do
	}
	_, err := p.print(ctx, job, nik, follower, "pengikut")
	return err
}

// follower finds a dinas server that is not the Raft leader, asking the
// servers from at on, for a while: during an election none knows.
func (p *PrintRoom) follower(ctx context.Context, at int) (int, bool) {
	for i := range 10 * len(p.servers) {
		if f, ok := p.followerSays(ctx, p.servers[(at+i)%len(p.servers)]); ok {
			return f, true
		}
		select {
		case <-ctx.Done():
			return 0, false
		case <-time.After(250 * time.Millisecond):
		}
	}
	return 0, false
}

// followerSays picks a follower among the servers c says do not lead.
func (p *PrintRoom) followerSays(ctx context.Context, c *Client) (int, bool) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	st, err := c.Cluster.GetClusterStatus(cctx, connect.NewRequest(&v1.GetClusterStatusRequest{}))
	if err != nil || st.Msg.Leader == "" {
		return 0, false
	}
	var followers []int
	for i, s := range p.servers {
		if s.Office.Peer != st.Msg.Leader {
			followers = append(followers, i)
		}
	}
	if len(followers) == len(p.servers) || len(followers) == 0 {
		return 0, false // the leader is not one of ours, or there is only it
	}
	return followers[p.rng.IntN(len(followers))], true
}

// usedBlank prints on a blank already printed (for any NIK): the dinas
// must refuse it and keep the NIK's card. If it does not, the card is
// recorded, and the invariant finds the blank printed twice.
func (p *PrintRoom) usedBlank(ctx context.Context, nik string, at int) error {
	cards := p.g.Cards()
	if len(cards) == 0 {
		_, err := p.print(ctx, jobPrint, nik, at, "a")
		return err
	}
	used := cards[p.rng.IntN(len(cards))].Serial
	key := p.key("kartu", p.jobs, "bekas")
	d, server, err := p.decide(ctx, at, func(ctx context.Context, c *Client) (*v1.Decision, error) {
		r, err := c.Decision.IssueCard(ctx, connect.NewRequest(&v1.IssueCardRequest{Key: key, Nik: nik,
			BlankSerial: used, Reason: "pencetakan KTP-el", Officer: c.User}))
		return decisionOf(r, err)
	})
	switch {
	case connect.CodeOf(err) == connect.CodeFailedPrecondition:
		p.g.count(func(g *Ledger) { g.BlanksRefused++ })
		return nil
	case err != nil:
		return err
	}
	p.g.cardProblem("print %s for %s on used blank %d accepted at %s", key, nik, used, server)
	p.g.card(printroom.Card{Key: key, NIK: nik, Serial: used, Revoked: d.RevokedCard, Job: jobUsed, At: server})
	p.active[nik] = used
	return nil
}

// blank takes an allocated blank serial, asking the dinas for a box when
// none is left.
func (p *PrintRoom) blank(ctx context.Context, at int) (uint64, error) {
	b, err := p.blanks.Take(func(box int) (uint64, uint64, error) {
		d, _, err := p.decide(ctx, at, func(ctx context.Context, c *Client) (*v1.Decision, error) {
			r, err := c.Decision.AllocateBlankSerials(ctx, connect.NewRequest(&v1.AllocateBlankSerialsRequest{
				Key: p.key("blangko", box), Station: "ruang-cetak-lab", Count: blankBox, Officer: c.User}))
			return decisionOf(r, err)
		})
		if err != nil {
			return 0, 0, err
		}
		return d.SerialFrom, d.SerialTo, nil
	})
	if err != nil {
		return 0, fmt.Errorf("blanks: %w", err)
	}
	return b, nil
}

// checkActive: right after a job, the dinas (read linearizably through
// the leader, from the server at) names the card the job left active.
func (p *PrintRoom) checkActive(ctx context.Context, nik string, at int) error {
	want, ok := p.active[nik]
	if !ok {
		return nil // nothing printed for it yet
	}
	got, server, err := activeCard(ctx, p.servers, at, nik)
	if err != nil {
		return err
	}
	if got != want {
		p.g.cardProblem("after job %d the active card of %s at %s is %d, want %d", p.jobs, nik, server, got, want)
	}
	return nil
}

// activeCard asks the dinas for a NIK's active card, from servers[at] or,
// when it fails to answer, the next one.
func activeCard(ctx context.Context, servers []*Client, at int, nik string) (uint64, string, error) {
	var serial uint64
	_, server, err := failover(ctx, servers, at, func(ctx context.Context, c *Client) (*v1.Decision, error) {
		r, err := c.Decision.GetActiveCard(ctx, connect.NewRequest(&v1.GetActiveCardRequest{Nik: nik}))
		if err == nil {
			serial = r.Msg.BlankSerial
		}
		return nil, err
	})
	return serial, server, err
}

func (p *PrintRoom) decide(ctx context.Context, at int, call func(context.Context, *Client) (*v1.Decision, error)) (*v1.Decision, string, error) {
	return failover(ctx, p.servers, at, call)
}

// failover makes call at servers[at] and, while servers fail to answer
// (down, paused, restarting, no leader), at the next one, with the same
// request and so the same idempotency key. It returns the server that
// answered last.
func failover(ctx context.Context, servers []*Client, at int, call func(context.Context, *Client) (*v1.Decision, error)) (*v1.Decision, string, error) {
	for i := at; ; i++ {
		c := servers[i%len(servers)]
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		d, err := call(cctx, c)
		cancel()
		if err == nil || !retryable(err) {
			return d, c.Office.Name, err
		}
		select {
		case <-ctx.Done():
			return nil, c.Office.Name, errors.Join(err, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// decided is a print's answer as the print room judges it.
func decided(d *v1.Decision) printroom.Decided {
	return printroom.Decided{NIK: d.Nik, Serial: d.SerialFrom, Revoked: d.RevokedCard}
}

func decisionOf(r *connect.Response[v1.DecisionResponse], err error) (*v1.Decision, error) {
	if err != nil {
		return nil, err
	}
	if r.Msg.Decision == nil {
		return nil, connect.NewError(connect.CodeInternal, errors.New("answer without a decision"))
	}
	return r.Msg.Decision, nil
}
