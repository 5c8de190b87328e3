package lab

import (
	"context"
	"fmt"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// The lab's accounts. The ADB SIAK is the pending admin of the first
// dinas server; it creates the others there, and they replicate.
const (
	adminUser = "adb"
	kasiUser  = "kasi"  // Kasi Data: processes files at the dinas
	infoUser  = "info"  // Staf Informasi: informs the resident, finishes
	opDinas   = "opdin" // Operator Dinas: dinas decisions (NIKs)
)

// CounterUser is the counter officer (petugas pendukung pelayanan) of a
// kecamatan, OperatorUser its operator (offline NIKs from a lease).
func CounterUser(office string) string  { return "loket-" + office }
func OperatorUser(office string) string { return "op-" + office }

// officer is an account to create.
type officer struct {
	user, name string
	role       catalog.Role
	at         []string // offices it signs in at
}

func (l *Lab) officers() []officer {
	var dinas []string
	for _, o := range l.State.Dinas() {
		dinas = append(dinas, o.Name)
	}
	out := []officer{
		{kasiUser, "Kasi Data Lab", catalog.KasiData, dinas},
		{infoUser, "Staf Informasi Lab", catalog.StafInformasi, dinas},
		{opDinas, "Operator Dinas Lab", catalog.OperatorDinas, dinas},
	}
	for _, o := range l.State.Kecamatan() {
		at := []string{o.Name}
		out = append(out,
			officer{CounterUser(o.Name), "Petugas Loket " + o.Title, catalog.PetugasPendukung, at},
			officer{OperatorUser(o.Name), "Operator " + o.Title, catalog.OperatorKecamatan, at})
	}
	return out
}

// createOfficers creates the lab's accounts at the first dinas server and
// waits until each officer can sign in where they work.
func (l *Lab) createOfficers(ctx context.Context) error {
	first := l.State.Dinas()[0].Name
	adb, err := l.Admin(first)
	if err != nil {
		return err
	}
	for _, o := range l.officers() {
		_, err := adb.Account.CreateAccount(ctx, connect.NewRequest(&v1.CreateAccountRequest{
			Username: o.user, FullName: o.name, Roles: []string{string(o.role)}, Password: l.State.Password}))
		if err != nil {
			return fmt.Errorf("lab: create account %s: %w", o.user, err)
		}
	}
	for _, o := range l.officers() {
		for _, at := range o.at {
			if err := l.waitSignIn(ctx, at, o.user, 90*time.Second); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitSignIn waits until user can sign in at office (its account has
// replicated there).
func (l *Lab) waitSignIn(ctx context.Context, office, user string, patience time.Duration) error {
	c, err := l.Officer(office, user)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(patience)
	for {
		_, err := c.Account.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lab: %s cannot sign in at %s: %w", user, office, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
