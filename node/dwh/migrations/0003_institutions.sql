-- Institutions that may check NIKs (BPJS, banks, the tax office, schools):
-- the SHA-256 of each one's API key (32 random bytes, shown once), its
-- quota, and an audit row for every call it makes.
CREATE TABLE institutions (
	id         text PRIMARY KEY,
	name       text NOT NULL UNIQUE,
	key_hash   bytea NOT NULL,
	per_second double precision NOT NULL,
	burst      int NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	rotated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE institution_audit (
	id          bigserial PRIMARY KEY,
	at          timestamptz NOT NULL,
	institution text NOT NULL, -- '' when the key was not recognised
	request_id  text NOT NULL,
	op          text NOT NULL, -- check | open-sync
	nik         text NOT NULL,
	outcome     text NOT NULL, -- the answer's code, the tracking code, or ditolak: <why>
	refused     boolean NOT NULL
);
CREATE INDEX institution_audit_by ON institution_audit (institution, at);
