package netlab

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
)

// Defaults for a Spec's empty fields. DefaultSubnet holds the lab's
// addresses: the hub takes the first, the offices the next ones in order.
const (
	DefaultPrefix = "sk-"
	DefaultSubnet = "10.77.0.0/16"
	hubSuffix     = "core"
)

// Spec describes a lab. It is JSON so a CLI can hand it to a controller
// process.
type Spec struct {
	// Prefix starts the name of every namespace the lab makes (the hub is
	// Prefix+"core", an office Prefix+name). It must end in "-" and differ
	// from other labs' prefixes, since cleanup finds what to remove by it.
	Prefix string `json:"prefix,omitempty"`
	// Subnet is where offices get their addresses (default 10.77.0.0/16).
	Subnet netip.Prefix `json:"subnet,omitzero"`
	// Seed makes every link's random choices (loss, jitter, reordering)
	// reproducible: the same seed and traffic give the same drops.
	Seed    uint64       `json:"seed"`
	Offices []OfficeSpec `json:"offices"`
}

// OfficeSpec is one office: its name and its uplink's starting conditions.
type OfficeSpec struct {
	// Name is short and plain (a-z, 0-9, "-"; at most 32), as it names a
	// namespace and appears in URLs.
	Name string `json:"name"`
	Link Link   `json:"link"`
}

var (
	prefixRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,14}-$`)
	nameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)
)

// withDefaults fills the empty fields.
func (s Spec) withDefaults() Spec {
	if s.Prefix == "" {
		s.Prefix = DefaultPrefix
	}
	if !s.Subnet.IsValid() {
		s.Subnet = netip.MustParsePrefix(DefaultSubnet)
	}
	return s
}

// validate reports what would make a lab impossible or ambiguous.
func (s Spec) validate() error {
	if err := checkPrefix(s.Prefix); err != nil {
		return err
	}
	if !s.Subnet.Addr().Is4() {
		return fmt.Errorf("netlab: subnet %v: want IPv4", s.Subnet)
	}
	if len(s.Offices) == 0 {
		return errors.New("netlab: a lab needs at least one office")
	}
	seen := map[string]bool{}
	for _, o := range s.Offices {
		if !nameRE.MatchString(o.Name) || o.Name == hubSuffix {
			return fmt.Errorf("netlab: office name %q: want a-z, 0-9 and -, at most 32, not %q", o.Name, hubSuffix)
		}
		if seen[o.Name] {
			return fmt.Errorf("netlab: office %q appears twice", o.Name)
		}
		seen[o.Name] = true
		if err := o.Link.Validate(); err != nil {
			return fmt.Errorf("netlab: office %s: %w", o.Name, err)
		}
	}
	if _, err := officeAddr(s.Subnet, len(s.Offices)-1); err != nil {
		return err
	}
	return nil
}

// checkPrefix refuses prefixes that could match another lab's or the
// machine's own namespaces, since cleanup deletes everything they match.
func checkPrefix(p string) error {
	if !prefixRE.MatchString(p) {
		return fmt.Errorf("netlab: prefix %q: want a lowercase letter, then a-z, 0-9 or -, ending in -, at most 16", p)
	}
	return nil
}

// hubAddr is the hub's address: the subnet's first.
func hubAddr(subnet netip.Prefix) netip.Addr { return subnet.Masked().Addr().Next() }

// officeAddr is the i-th office's address, after the hub's.
func officeAddr(subnet netip.Prefix, i int) (netip.Addr, error) {
	a := hubAddr(subnet)
	for range i + 1 {
		a = a.Next()
	}
	if !subnet.Contains(a) || !subnet.Contains(a.Next()) {
		// The last address is the broadcast one; leave it alone.
		return netip.Addr{}, fmt.Errorf("netlab: subnet %v has no room for office %d", subnet, i+1)
	}
	return a, nil
}
