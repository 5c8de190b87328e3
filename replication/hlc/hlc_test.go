package hlc

import (
	"testing"
	"time"
)

type fakeWall struct{ t time.Time }

func (f *fakeWall) now() time.Time { return f.t }

func TestNowIsMonotonicWhenWallGoesBack(t *testing.T) {
	w := &fakeWall{t: time.UnixMilli(1_000_000)}
	c := NewClock(w.now, time.Minute)
	a := c.Now()
	w.t = w.t.Add(-time.Hour)
	b := c.Now()
	if b <= a {
		t.Fatalf("clock went back: %d then %d", a, b)
	}
	if b.WallMillis() != a.WallMillis() || b.Logical() != a.Logical()+1 {
		t.Fatalf("want logical bump, got %v/%d", b.WallMillis(), b.Logical())
	}
}

func TestObserve(t *testing.T) {
	base := time.UnixMilli(5_000_000)
	tests := []struct {
		name        string
		remote      time.Duration
		wantAdopted bool
	}{
		{"behind", -time.Hour, true},
		{"slightly ahead", 30 * time.Second, true},
		{"far ahead", 3 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &fakeWall{t: base}
			c := NewClock(w.now, time.Minute)
			remote := New(base.Add(tt.remote).UnixMilli(), 7)
			ahead, adopted := c.Observe(remote)
			if adopted != tt.wantAdopted || ahead != tt.remote {
				t.Fatalf("Observe = %v,%v want %v,%v", ahead, adopted, tt.remote, tt.wantAdopted)
			}
			next := c.Now()
			if tt.wantAdopted && tt.remote > 0 && next <= remote {
				t.Fatalf("adopted remote %d but Now gave %d", remote, next)
			}
			if !tt.wantAdopted && next.WallMillis() != base.UnixMilli() {
				t.Fatalf("far-future remote dragged the clock to %v", next.Time())
			}
		})
	}
}

func TestLogicalOverflowCarries(t *testing.T) {
	w := &fakeWall{t: time.UnixMilli(10)}
	c := NewClock(w.now, time.Minute)
	c.Observe(New(10, 1<<16-1))
	got := c.Now()
	if got.WallMillis() != 11 || got.Logical() != 0 {
		t.Fatalf("got %d/%d", got.WallMillis(), got.Logical())
	}
}
