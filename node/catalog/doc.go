// Package catalog is the service catalog of Sinkron as data: every service a
// Dinas Dukcapil office offers (seeds 000, 001 and 004), with its typed form,
// its required documents, the offices where it may start, its paths (for
// example path A at the kecamatan and path B at the dinas) and, for each
// path, the SOP's steps in order with the role that performs each step, the
// office where it happens, its time standard, hand-overs between offices and
// the dinas decisions or subsystem inputs a step waits for.
//
// The table lives in the services_*.go files, one file per seed section, so an
// SOP author can read and review it. Lookup and All return copies; Check
// verifies the whole table and runs in the tests. Form.Validate reuses
// node/form's validators and reports errors in Bahasa Indonesia.
package catalog
