package netlab

import (
	"fmt"
	"sort"
	"time"
)

// Profiles returns typical field links, as data (a new map each call, so
// no caller can change another's profiles). The numbers are assumptions
// drawn from common figures, not measurements of any office:
//
//   - 3g-kecamatan: a rural office on a 3G/HSPA modem at the edge of
//     coverage. 256 kbit/s each way is a conservative edge-of-cell figure
//     (operators' averages are higher, but offices far from a tower see
//     this); 300 ms RTT and ~2 % ping loss are what such links commonly
//     show. Loss is 1 % per direction, so a round trip loses about 2 %.
//   - vsat: a geostationary VSAT terminal, as on remote government sites.
//     The satellite hop alone is ~480 ms RTT (2 × 35,786 km up and down at
//     light speed), ~600 ms with ground processing; 1 Mbit/s down, 256
//     kbit/s up is a small shared plan; 0.5 % round-trip loss.
//   - fiber-dinas: the regency office on metro fiber: 100 Mbit/s, 2 ms RTT.
//   - down: the link is cut both ways (power or tower outage).
//
// Delays are one-way (half the RTT) so that two offices each on a profile
// see the sum of both links, as across a real hub.
func Profiles() map[string]Link {
	return map[string]Link{
		"3g-kecamatan": {
			Up:   Conditions{RateKbit: 256, Delay: 150 * time.Millisecond, Jitter: 20 * time.Millisecond, Loss: 1},
			Down: Conditions{RateKbit: 256, Delay: 150 * time.Millisecond, Jitter: 20 * time.Millisecond, Loss: 1},
		},
		"vsat": {
			Up:   Conditions{RateKbit: 256, Delay: 300 * time.Millisecond, Jitter: 10 * time.Millisecond, Loss: 0.25},
			Down: Conditions{RateKbit: 1024, Delay: 300 * time.Millisecond, Jitter: 10 * time.Millisecond, Loss: 0.25},
		},
		"fiber-dinas": {
			Up:   Conditions{RateKbit: 100_000, Delay: time.Millisecond},
			Down: Conditions{RateKbit: 100_000, Delay: time.Millisecond},
		},
		"down": {
			Up:   Conditions{Cut: true},
			Down: Conditions{Cut: true},
		},
	}
}

// Profile returns the named profile, labelled with its name.
func Profile(name string) (Link, error) {
	l, ok := Profiles()[name]
	if !ok {
		return Link{}, fmt.Errorf("netlab: no profile %q (have %v)", name, ProfileNames())
	}
	l.Profile = name
	return l, nil
}

// ProfileNames lists the profiles, sorted.
func ProfileNames() []string {
	var names []string
	for n := range Profiles() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
