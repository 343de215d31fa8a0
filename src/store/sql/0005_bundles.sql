-- PIM Console schema version 5: saved role bundles, per account (`pim bundle save`): several
-- roles activated together with one code, with an optional default duration and reason.
-- Append-only: never edited.

CREATE TABLE bundles (
    user_id        TEXT NOT NULL REFERENCES users(id),
    name           TEXT NOT NULL COLLATE NOCASE,
    role_ids       TEXT NOT NULL,
    duration_secs  INTEGER CHECK (duration_secs IS NULL OR duration_secs > 0),
    justification  TEXT,
    saved_at       INTEGER NOT NULL,
    PRIMARY KEY (user_id, name)
);
