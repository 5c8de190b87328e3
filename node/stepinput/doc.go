// Package stepinput holds the handlers of the records a request step takes
// from another subsystem (request.InputHandler), as this node checks them
// today: a biometric capture station's ISO/IEC 19794 records (Capture) and
// the print room's record of a printed card (PrintRoom). The node registers
// them with the request engine; a subsystem that grows its own checks (the
// card subsystem's chip read-back) replaces its handler here.
package stepinput
