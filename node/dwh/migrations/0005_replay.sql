-- A check's request id is answered once per institution, whichever dinas
-- server answers it and across restarts: the audit row of an answered
-- check is unique by (institution, request_id), so a replay that reaches
-- another server, or one after a restart, finds the first row and is
-- refused. Earlier duplicates (the in-process check was per server) are
-- marked refused first so the index can be built.
UPDATE institution_audit a SET refused = true, outcome = 'ditolak: pengulangan (ditandai saat migrasi)'
FROM (SELECT id, row_number() OVER (PARTITION BY institution, request_id ORDER BY id) AS n
      FROM institution_audit WHERE NOT refused AND op = 'check') d
WHERE a.id = d.id AND d.n > 1;
CREATE UNIQUE INDEX institution_audit_answered ON institution_audit (institution, request_id) WHERE NOT refused AND op = 'check';
