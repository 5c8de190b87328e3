-- An institution may also authenticate with a TLS client certificate. Kept
-- is the SHA-256 of the certificate's SubjectPublicKeyInfo, not the
-- certificate: the TLS handshake proves the client holds that key, and a
-- renewed certificate over the same key keeps working. Unique, so one key
-- never names two institutions; NULL for an institution without one.
ALTER TABLE institutions ADD COLUMN cert_spki bytea UNIQUE;
