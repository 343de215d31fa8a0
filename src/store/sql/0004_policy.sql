-- PIM Console schema version 4: role settings take every value Graph accepts within Entra's
-- limits (an activation maximum in whole minutes from 30 minutes to 24 hours, such as
-- Microsoft's own PT1H45M; assignment expiry in whole days up to a year, such as P270D), and
-- the API-only requirements on eligible assignment (Enablement_Admin_Eligibility).
-- SQLite cannot change a CHECK constraint, so the table is rebuilt. Append-only: never edited.

CREATE TABLE role_settings_v4 (
    role_id                            TEXT PRIMARY KEY REFERENCES roles(id),
    max_activation_secs                INTEGER NOT NULL
        CHECK (max_activation_secs BETWEEN 1800 AND 86400 AND max_activation_secs % 60 = 0),
    require_mfa                        INTEGER NOT NULL CHECK (require_mfa IN (0, 1)),
    require_justification              INTEGER NOT NULL CHECK (require_justification IN (0, 1)),
    require_ticket                     INTEGER NOT NULL CHECK (require_ticket IN (0, 1)),
    require_approval                   INTEGER NOT NULL CHECK (require_approval IN (0, 1)),
    allow_permanent_eligible           INTEGER NOT NULL CHECK (allow_permanent_eligible IN (0, 1)),
    expire_eligible_days               INTEGER NOT NULL CHECK (expire_eligible_days BETWEEN 1 AND 365),
    allow_permanent_active             INTEGER NOT NULL CHECK (allow_permanent_active IN (0, 1)),
    expire_active_days                 INTEGER NOT NULL CHECK (expire_active_days BETWEEN 1 AND 365),
    require_mfa_on_active              INTEGER NOT NULL CHECK (require_mfa_on_active IN (0, 1)),
    require_justification_on_active    INTEGER NOT NULL CHECK (require_justification_on_active IN (0, 1)),
    require_mfa_on_eligible            INTEGER NOT NULL DEFAULT 0 CHECK (require_mfa_on_eligible IN (0, 1)),
    require_justification_on_eligible  INTEGER NOT NULL DEFAULT 0 CHECK (require_justification_on_eligible IN (0, 1)),
    updated_at                         INTEGER,
    updated_by                         TEXT REFERENCES users(id)
);
INSERT INTO role_settings_v4 (role_id, max_activation_secs, require_mfa, require_justification,
    require_ticket, require_approval, allow_permanent_eligible, expire_eligible_days,
    allow_permanent_active, expire_active_days, require_mfa_on_active,
    require_justification_on_active, updated_at, updated_by)
SELECT role_id, max_activation_secs, require_mfa, require_justification,
    require_ticket, require_approval, allow_permanent_eligible, expire_eligible_days,
    allow_permanent_active, expire_active_days, require_mfa_on_active,
    require_justification_on_active, updated_at, updated_by
FROM role_settings;
DROP TABLE role_settings;
ALTER TABLE role_settings_v4 RENAME TO role_settings;
