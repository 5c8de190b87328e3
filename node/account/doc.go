// Package account keeps officer accounts (petugas): who may call a node,
// with which roles. Accounts are replicated entities like residents, so an
// officer can log in at any office of the regency, even one that is
// offline, and a revoked account stops working at every office once the
// revocation arrives there.
//
// # Entities and fold
//
// Kind "petugas", entity id the username (lowercase). Events: created
// (full name, office, argon2id hash, first roles), role granted, role
// revoked, password changed, disabled. They fold with replication/fold,
// each datum its own multi-value register:
//   - "dibuat", the creation event's id: a username created at two offices
//     while apart conflicts here, and the account is unusable (Duplicate)
//     until an ADB SIAK disables it and creates distinct usernames;
//   - "nama_lengkap", "kantor";
//   - "kata_sandi", the hash. Two concurrent changes leave two hashes, and
//     either logs in: each was set by someone who proved the previous
//     password. The conflict is listed (hashes hidden) and the officer's
//     next change supersedes both;
//   - "peran/<role>": "diberikan" or "dicabut". Different roles granted
//     and revoked apart both stand; the same role granted at one office and
//     revoked at another is a conflict, and the role is not held until an
//     ADB SIAK grants or revokes it again (the new event has seen both).
//
// Disablement is sticky and writes no register: an account is disabled
// when any disabled event is in its set, whatever was concurrent with it
// or came after. A register would let a concurrent grant or password
// change leave the account "in conflict" and, worse, be settled back into
// use by one more event; a security rule must not depend on an officer
// settling it. So the rule is monotonic, like the event set itself:
// every replica that holds the revocation refuses the account, and no
// event undoes it (a disabled officer gets a new username). A disabled
// account lists no conflicts: nothing is left to decide; its history
// still shows every change.
//
// # Logins and tokens
//
// Passwords are hashed with argon2id (DefaultParams) and checked in
// constant time. Login returns a token only this node can verify:
// "v1.<claims>.<mac>", claims the base64url JSON of username, roles,
// issue and expiry time, a random id and the password version it matched,
// mac the base64url HMAC-SHA256 under a key derived (HKDF) from the node's
// secret. Verify re-reads the account every time, so disablement, a
// password change and a revoked role take effect at once; Logout denies
// the token id here until it expires. Failed logins lock a username for a
// while at this node only (see lockout.go for why per node).
//
// # Permissions
//
// Permissions is the table from operation to roles, Allowed its check; the
// API's interceptor applies it to every call and the workflow engine
// checks each step's own role from the catalog.
package account
