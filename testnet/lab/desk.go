package lab

import (
	"context"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// Desk is the dinas's back office: it takes the files the kecamatan hand
// over (Diproses), does each SOP step with the officer of the step's role,
// and finishes them. It works at one dinas server and moves to the next
// only when that one fails, as an office's software would: switching at
// every call would read a server that has not yet seen its own last step.
type Desk struct {
	// Poll is the pause when a pass found nothing to do.
	Poll time.Duration
	// Errors counts calls that failed (a server down, a refusal).
	Errors int
}

// stepUser is the lab account that acts in each dinas role.
var stepUser = map[string]string{
	string(catalog.KasiData):      kasiUser,
	string(catalog.ADBSIAK):       adminUser,
	string(catalog.StafInformasi): infoUser,
	string(catalog.OperatorDinas): opDinas,
}

// Run works until ctx ends.
func (d *Desk) Run(ctx context.Context, l *Lab, g *Ledger) {
	servers := l.State.Dinas()
	poll := d.Poll
	if poll == 0 {
		poll = 500 * time.Millisecond
	}
	for at := 0; ctx.Err() == nil; {
		did, err := d.pass(ctx, l, g, servers[at%len(servers)].Name)
		if err != nil {
			d.Errors++
			at++ // this server failed; the next one takes over
		}
		if did == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
		}
	}
}

// pass takes one action on every file at hand at server and reports how
// many it took.
func (d *Desk) pass(ctx context.Context, l *Lab, g *Ledger, server string) (int, error) {
	kasi, err := l.Officer(server, kasiUser)
	if err != nil {
		return 0, err
	}
	did := 0
	handed, err := list(ctx, kasi, v1.Status_STATUS_DISETUJUI, string(catalog.Dinas))
	if err != nil {
		return did, err
	}
	for _, r := range handed {
		if r.Conflict || g.conflicted(r.Id) {
			continue
		}
		if err := transitionOnce(ctx, kasi, g, r.Id, v1.Status_STATUS_DIPROSES, "Diproses"); err != nil {
			return did, err
		}
		did++
	}
	working, err := list(ctx, kasi, v1.Status_STATUS_DIPROSES, "")
	if err != nil {
		return did, err
	}
	for _, r := range working {
		if g.conflicted(r.Id) {
			continue
		}
		n, err := d.advance(ctx, l, g, server, r)
		if err != nil {
			return did, err
		}
		did += n
	}
	return did, nil
}

// advance does the next step of a file in Diproses, or finishes it.
func (d *Desk) advance(ctx context.Context, l *Lab, g *Ledger, server string, r *v1.Request) (int, error) {
	if r.Conflict {
		return 0, nil
	}
	for _, st := range r.Steps {
		if st.Done {
			continue
		}
		if awaitsWarehouse(st) {
			g.warehouse(r.Id) // the lab runs no warehouse to confirm it
			return 0, nil
		}
		if st.Waiting || st.OfficeKind != string(catalog.Dinas) {
			return 0, nil // its decision has not come, or not ours
		}
		user, ok := stepUser[st.Role]
		if !ok {
			return 0, fmt.Errorf("lab: no lab officer for role %s (step %s)", st.Role, st.Name)
		}
		c, err := l.Officer(server, user)
		if err != nil {
			return 0, err
		}
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		_, err = c.Request.CompleteStep(cctx, connect.NewRequest(&v1.CompleteStepRequest{
			Id: r.Id, Step: st.Name, Role: st.Role, Officer: c.User}))
		if err != nil {
			return 0, err
		}
		g.changed(r.Id, "step:"+st.Name)
		return 1, nil
	}
	info, err := l.Officer(server, infoUser)
	if err != nil {
		return 0, err
	}
	return 1, transitionOnce(ctx, info, g, r.Id, v1.Status_STATUS_SELESAI, "Selesai")
}

// transitionOnce moves a request without retrying: the desk comes back
// to it on its next pass, maybe at another server.
func transitionOnce(ctx context.Context, c *Client, g *Ledger, id string, to v1.Status, status string) error {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := c.Request.TransitionRequest(cctx, connect.NewRequest(&v1.TransitionRequestRequest{Id: id, To: to, Officer: c.User}))
	if err == nil {
		g.changed(id, "status:"+status)
	}
	return err
}

// list returns every request in a status (and with a holder, if given).
func list(ctx context.Context, c *Client, status v1.Status, holder string) ([]*v1.Request, error) {
	var out []*v1.Request
	token := ""
	for {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		r, err := c.Request.ListRequests(cctx, connect.NewRequest(&v1.ListRequestsRequest{
			Status: status, Holder: holder, PageSize: 500, PageToken: token}))
		cancel()
		if err != nil {
			return nil, err
		}
		out = append(out, r.Msg.Requests...)
		if r.Msg.NextPageToken == "" {
			return out, nil
		}
		token = r.Msg.NextPageToken
	}
}

// awaitsWarehouse reports a step that waits only for the warehouse's
// confirmation (a "Sinkronisasi DWH" step): the lab's dinas feeds no
// PostgreSQL warehouse, so nothing will confirm it, rightly.
func awaitsWarehouse(st *v1.Step) bool {
	if !st.Waiting || len(st.DecisionKeys) == 0 {
		return false
	}
	for _, k := range st.DecisionKeys {
		if !strings.HasPrefix(k, "dwh/") {
			return false
		}
	}
	return true
}

// Pending counts acknowledged requests not cancelled, not finished and
// not waiting for the warehouse the lab does not run.
func (g *Ledger) Pending() int {
	n := 0
	for _, a := range g.Requests() {
		if !a.Cancelled && !a.Warehouse && !hasChange(a.Changes, "status:Selesai") {
			n++
		}
	}
	return n
}

func hasChange(changes []string, c string) bool {
	for _, x := range changes {
		if x == c {
			return true
		}
	}
	return false
}
