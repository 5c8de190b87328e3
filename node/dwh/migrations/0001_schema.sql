-- The warehouse of one regency. Every row names the position of the change
-- that wrote it last (stream, seq): "keputusan" with the decision number,
-- or a replica origin's peer id with the event's seq.
CREATE TABLE checkpoint (
	stream     text PRIMARY KEY,
	seq        bigint NOT NULL,
	term       bigint NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row: the term of the feeder allowed to write. A transaction raises it
-- to its own term or aborts; a deposed leader's lower term cannot write.
CREATE TABLE feeder (
	id         int PRIMARY KEY CHECK (id = 1),
	term       bigint NOT NULL,
	feeder     text NOT NULL,
	last_error text NOT NULL DEFAULT '',
	updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO feeder (id, term, feeder) VALUES (1, 0, '');

CREATE TABLE residents (
	nik           text PRIMARY KEY,
	nama          text NOT NULL,
	tempat_lahir  text NOT NULL,
	tanggal_lahir text NOT NULL,
	jenis_kelamin text NOT NULL,
	nama_ibu      text NOT NULL DEFAULT '',
	office        text NOT NULL,
	updated_at    timestamptz NOT NULL,
	pos_stream    text NOT NULL,
	pos_seq       bigint NOT NULL
);

CREATE TABLE families (
	kk         text PRIMARY KEY,
	kepala     text NOT NULL,
	alamat     text NOT NULL,
	updated_at timestamptz NOT NULL,
	pos_stream text NOT NULL,
	pos_seq    bigint NOT NULL
);

CREATE TABLE family_members (
	kk       text NOT NULL,
	nik      text NOT NULL,
	hubungan text NOT NULL,
	PRIMARY KEY (kk, nik)
);
CREATE INDEX family_members_nik ON family_members (nik);

CREATE TABLE cards (
	nik        text PRIMARY KEY,
	serial     bigint NOT NULL,
	issued_at  timestamptz NOT NULL,
	pos_stream text NOT NULL,
	pos_seq    bigint NOT NULL
);

-- Per NIK, what the dinas knows beyond the record: konsolidasi (the record
-- is consolidated, as of since), tertunda (a change is pending at office
-- since), adjudikasi (a double recording is being adjudicated).
CREATE TABLE nik_state (
	nik        text PRIMARY KEY,
	state      text NOT NULL CHECK (state IN ('konsolidasi', 'tertunda', 'menunggu-konsolidasi', 'adjudikasi')),
	office     text NOT NULL DEFAULT '',
	since      timestamptz NOT NULL,
	pos_stream text NOT NULL,
	pos_seq    bigint NOT NULL
);
