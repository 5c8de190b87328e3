package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindSurvivesWrapping(t *testing.T) {
	notFound := New(NotFound, "permohonan tidak ditemukan")
	tests := []struct {
		name string
		err  error
		kind Kind
		is   error
	}{
		{"bare", notFound, NotFound, ErrNotFound},
		{"wrapped", fmt.Errorf("%w: 0123", notFound), NotFound, ErrNotFound},
		{"joined", errors.Join(errors.New("x"), New(Permission, "peran")), Permission, ErrPermission},
		{"plain", errors.New("disk"), Internal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.kind {
				t.Errorf("KindOf = %v, want %v", got, tt.kind)
			}
			if tt.is != nil && !errors.Is(tt.err, tt.is) {
				t.Errorf("errors.Is(%v, kind sentinel) = false", tt.err)
			}
			if tt.is != nil && errors.Is(tt.err, ErrInvalid) {
				t.Errorf("%v matches another kind", tt.err)
			}
		})
	}
	if !errors.Is(fmt.Errorf("a: %w", notFound), notFound) {
		t.Error("the package's own sentinel no longer matches")
	}
}
