package synth

// Params are the generator's parameters. Units: pixels at 500 dpi (19.7
// pixels a millimetre, 197 a centimetre, the ISO/IEC 19794-2 resolution of
// most live scanners), degrees, and probabilities.
type Params struct {
	// Image size of an impression, pixels. 400×480 is 20.3×24.4 mm, a
	// typical single-finger live-scan area (FBI PIV-071006 asks at least
	// 12.8×16.5 mm; FVC2002 DB1 used 388×374).
	Width, Height int

	// Finger pad: an ellipse with these semi-axes (pixels). A fingertip pad
	// is about 16-20 mm wide (Maltoni et al., Handbook of Fingerprint
	// Recognition, 2nd ed. 2009, ch. 1); 160×200 px is 16×20 mm across.
	PadA, PadB float64
	// Minutiae over the whole pad: mean and s.d. A rolled impression holds
	// 100 or more minutiae and a plain one 40-60 (Maltoni et al. 2009,
	// ch. 3; FVC2002 extractors found about 40-50 per plain impression).
	MinutiaeMean, MinutiaeSD float64
	// Minimum distance between two minutiae: about one ridge period, 0.46 mm
	// at the fingertip (about 9 px at 500 dpi; Maltoni et al. 2009, ch. 3).
	MinDistance float64
	// Share of ridge endings among endings and bifurcations: about 0.6
	// (Gutiérrez-Redomero et al., Forensic Sci. Int. 208, 2011, counted
	// more endings than bifurcations in every region).
	EndingShare float64
	// Pattern classes by natural frequency (Wilson, Candela and Watson,
	// NIST, 1993/1994: loops about 65 %, whorls about 28 %, arches about
	// 7 %).
	LoopShare, WhorlShare float64

	// Impressions. Rotation of the finger on the scanner, s.d. in degrees:
	// a counter's plain impressions, ±20° or so (FVC protocols allowed up
	// to ±35°; chosen).
	RotationSD float64
	// Placement: the pad's centre is off the window's centre by this s.d.
	// in pixels per axis (partial overlap; chosen, calibrated).
	PlacementSD float64
	// Contact: the pressed region is the pad ellipse scaled by a factor in
	// [ContactMin, ContactMax] (light to firm pressure; chosen, calibrated).
	ContactMin, ContactMax float64
	// Plastic distortion (Cappelli, Maio and Maltoni, "Modelling plastic
	// distortion in fingertip impressions", CVPR 2001): no movement within
	// CloseContact px of the contact centre, a rigid move of up to
	// DistortShift px and DistortAngle degrees beyond, braked in between
	// over DistortBrake px. Their fitted displacements reach about 1 mm
	// (20 px) at the periphery.
	CloseContact, DistortBrake, DistortShift, DistortAngle float64
	// Extraction error. Position s.d. in px and angle s.d. in degrees, of
	// the order of feature extractors' disagreement (NIST MINEX 2006
	// reports extractors disagree by several pixels; chosen, calibrated).
	PositionSD, AngleSD float64
	// Missing true minutiae, probability range per impression (some
	// impressions are worse; chosen, calibrated).
	MissMin, MissMax float64
	// Spurious minutiae per impression, mean range (Poisson; chosen,
	// calibrated).
	SpuriousMin, SpuriousMax float64
	// Probability that an ending is read as a bifurcation or back (pressure
	// joins or breaks ridges; Maltoni et al. 2009, ch. 3: "type is often
	// swapped").
	TypeSwap float64

	// Iris. Smoothing of the wavelet-response field along the angle and
	// across rings (s.d., in bit positions), chosen so impostor Hamming
	// distances are binomial with about 249 degrees of freedom (Daugman,
	// "How iris recognition works", IEEE TCSVT 2004; checked in
	// TestIrisDegreesOfFreedom).
	IrisAngularSmooth, IrisRadialSmooth float64
	// Eye rotation between captures, s.d. in angular steps of 360/128
	// degrees (head tilt; Daugman searches ±7 steps or so; chosen).
	IrisRotationSD float64
	// Genuine noise: the s.d. of a capture's noise field relative to the
	// iris's, mean and s.d. across captures. 0.25 makes two captures of an
	// eye differ in about 11 % of their bits, the mean same-eye HD in
	// Daugman (2004).
	IrisNoiseMean, IrisNoiseSD float64
	// Eyelid occlusion: rings covered by the upper and lower lid, maximum
	// (of 8), and lashes: share of the remaining upper-half bits masked.
	// Tuned so two masks share about 911 bits on average (Daugman's
	// typical count, 2004).
	UpperLidMax, LowerLidMax int
	LashShare                float64

	// Exceptions: a finger missing (amputation) or an eye missing, per
	// finger and per eye. No published Indonesian rate was found; these
	// are small assumed rates so the code paths are exercised.
	MissingFinger, MissingEye float64
}

// DefaultParams are the calibrated defaults.
func DefaultParams() Params {
	return Params{
		Width: 400, Height: 480,
		PadA: 160, PadB: 200, MinutiaeMean: 75, MinutiaeSD: 12, MinDistance: 10,
		EndingShare: 0.6, LoopShare: 0.65, WhorlShare: 0.28,
		RotationSD: 12, PlacementSD: 35, ContactMin: 0.7, ContactMax: 1.0,
		CloseContact: 60, DistortBrake: 80, DistortShift: 16, DistortAngle: 6,
		PositionSD: 3, AngleSD: 8, MissMin: 0.1, MissMax: 0.3, SpuriousMin: 2, SpuriousMax: 10,
		TypeSwap:          0.1,
		IrisAngularSmooth: 1.38, IrisRadialSmooth: 1, IrisRotationSD: 2.5, IrisNoiseMean: 0.25, IrisNoiseSD: 0.08,
		UpperLidMax: 8, LowerLidMax: 6, LashShare: 0.25,
		MissingFinger: 0.001, MissingEye: 0.0005,
	}
}
