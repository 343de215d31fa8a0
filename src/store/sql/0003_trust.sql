-- PIM Console schema version 3: trust (anchored audit, sealed second factors, lockout
-- back-off, real time beside lab time, a high-water mark of real time).
-- Append-only: once shipped, this file is never edited.

-- Facts about the file itself: its identity (which anchor and key belong to it) and the
-- newest real time any command has seen.
CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(16))));

-- Consecutive lockouts since the last successful sign-in: each one locks for longer.
ALTER TABLE users ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0);
-- The TOTP secret sealed with the key file outside the database (nonce || ciphertext).
-- The plain `totp_secret` column of version 1 is emptied when the secrets are sealed.
ALTER TABLE users ADD COLUMN totp_sealed BLOB;

-- When an entry was written in real time (its `time` is the lab's policy time).
ALTER TABLE audit ADD COLUMN real_time INTEGER;
