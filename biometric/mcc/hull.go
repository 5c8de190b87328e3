package mcc

import (
	"cmp"
	"slices"
)

// hull is the convex hull of the minutiae, counter-clockwise (Andrew's
// monotone chain). MCC treats cells far outside it as unseen: the finger
// was not there, or not captured.
func hull(ms []minutia) []minutia {
	pts := slices.Clone(ms)
	slices.SortFunc(pts, func(a, b minutia) int {
		if a.x != b.x {
			return cmp.Compare(a.x, b.x)
		}
		return cmp.Compare(a.y, b.y)
	})
	if len(pts) < 3 {
		return pts
	}
	cross := func(o, a, b minutia) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }
	h := make([]minutia, 0, 2*len(pts))
	for _, p := range pts {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	lower := len(h) + 1
	for i := len(pts) - 2; i >= 0; i-- {
		p := pts[i]
		for len(h) >= lower && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	return h[:len(h)-1]
}

// nearHull reports whether (x, y) is inside the hull or within omega of it.
// Most cells are inside, which costs one cross product an edge; only a
// cell outside measures its distance to the edges.
func nearHull(h []minutia, x, y, omega float64) bool {
	if len(h) >= 3 {
		inside := true
		for i := range h {
			a, b := h[i], h[(i+1)%len(h)]
			if (b.x-a.x)*(y-a.y)-(b.y-a.y)*(x-a.x) < 0 {
				inside = false
				break
			}
		}
		if inside {
			return true
		}
	}
	for i := range h {
		if segDist2(h[i], h[(i+1)%len(h)], x, y) <= omega*omega {
			return true
		}
	}
	return false
}

// segDist2 is the squared distance from (x, y) to the segment ab.
func segDist2(a, b minutia, x, y float64) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = ((x-a.x)*dx + (y-a.y)*dy) / l2
		t = min(1, max(0, t))
	}
	ex, ey := a.x+t*dx-x, a.y+t*dy-y
	return ex*ex + ey*ey
}
