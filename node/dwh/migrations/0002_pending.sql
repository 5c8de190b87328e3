-- Open requests naming a NIK, with where their file is: the dinas tells an
-- institution why a record is stale. Written from the request entities
-- (origin streams), apart from nik_state, which only decisions write, so the
-- two orders never overwrite each other.
CREATE TABLE pending (
	request    text PRIMARY KEY,
	nik        text NOT NULL,
	state      text NOT NULL CHECK (state IN ('tertunda', 'menunggu-konsolidasi')),
	office     text NOT NULL,
	since      timestamptz NOT NULL,
	pos_stream text NOT NULL,
	pos_seq    bigint NOT NULL
);
CREATE INDEX pending_nik ON pending (nik);
