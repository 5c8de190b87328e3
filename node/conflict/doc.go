// Package conflict describes, for an officer, the fields of an entity whose
// concurrent writes disagree: each competing value with who wrote it,
// where and when. Requests and the registry show their conflicts this way.
package conflict
