// Package biometric is the root of Sinkron's biometric code: the templates a
// recording carries (ten fingers as minutiae, two irises as IrisCodes), their
// interchange formats, the 1:1 matchers, the fusion of their scores into one
// decision, and the 1:N search that checks a new recording against everyone
// already recorded. It depends on nothing in node or replication.
//
// The subpackages each do one job:
//
//   - template: the in-memory templates and exception codes (a missing finger
//     or eye is an exception, never a fake template);
//   - iso19794: strict decoders and encoders of ISO/IEC 19794-2 finger
//     minutiae records and card formats, the 19794-4/5/6 record headers, and
//     the iris template's bytes;
//   - mcc: the Minutia Cylinder-Code fingerprint matcher;
//   - iris: masked fractional Hamming distance over rotations;
//   - fusion: ten fingers and two irises into one score and decision;
//   - search: the in-memory gallery and its 1:N search;
//   - synth: a seeded synthetic population with later impressions;
//   - eval: error rates (FNMR at FMR, FNIR/FPIR), CSV and DET plots.
package biometric
