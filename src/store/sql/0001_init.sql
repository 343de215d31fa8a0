-- PIM Console schema version 1.
-- Times are INTEGER unix seconds, UTC. Ids are GUIDs (text), like Graph's.
-- Append-only: once shipped, this file is never edited; changes go in a new numbered file.

CREATE TABLE tenant (
    id            TEXT PRIMARY KEY,
    singleton     INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    domain        TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('lab', 'standard')),
    licence       TEXT NOT NULL DEFAULT 'P2' CHECK (licence IN ('P2', 'Free')),
    clock_offset  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    upn               TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name      TEXT NOT NULL,
    enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    password_hash     TEXT NOT NULL,
    totp_secret       TEXT,
    mfa_registered_at INTEGER,
    totp_last_step    INTEGER,
    failed_attempts   INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until      INTEGER,
    last_sign_in      INTEGER,
    created_at        INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE roles (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL UNIQUE COLLATE NOCASE,
    slug          TEXT NOT NULL UNIQUE,
    description   TEXT NOT NULL,
    privileged    INTEGER NOT NULL CHECK (privileged IN (0, 1))
);

CREATE TABLE role_settings (
    role_id                          TEXT PRIMARY KEY REFERENCES roles(id),
    max_activation_secs              INTEGER NOT NULL
        CHECK (max_activation_secs BETWEEN 1800 AND 86400 AND max_activation_secs % 1800 = 0),
    require_mfa                      INTEGER NOT NULL CHECK (require_mfa IN (0, 1)),
    require_justification            INTEGER NOT NULL CHECK (require_justification IN (0, 1)),
    require_ticket                   INTEGER NOT NULL CHECK (require_ticket IN (0, 1)),
    require_approval                 INTEGER NOT NULL CHECK (require_approval IN (0, 1)),
    allow_permanent_eligible         INTEGER NOT NULL CHECK (allow_permanent_eligible IN (0, 1)),
    expire_eligible_days             INTEGER NOT NULL CHECK (expire_eligible_days IN (15, 30, 90, 180, 365)),
    allow_permanent_active           INTEGER NOT NULL CHECK (allow_permanent_active IN (0, 1)),
    expire_active_days               INTEGER NOT NULL CHECK (expire_active_days IN (15, 30, 90, 180, 365)),
    require_mfa_on_active            INTEGER NOT NULL CHECK (require_mfa_on_active IN (0, 1)),
    require_justification_on_active  INTEGER NOT NULL CHECK (require_justification_on_active IN (0, 1)),
    updated_at                       INTEGER,
    updated_by                       TEXT REFERENCES users(id)
);

CREATE TABLE role_approvers (
    role_id  TEXT NOT NULL REFERENCES roles(id),
    user_id  TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (role_id, user_id)
);

CREATE TABLE role_notifications (
    role_id                TEXT NOT NULL REFERENCES roles(id),
    rule_id                TEXT NOT NULL,
    default_recipients     INTEGER NOT NULL CHECK (default_recipients IN (0, 1)),
    additional_recipients  TEXT NOT NULL DEFAULT '',
    critical_only          INTEGER NOT NULL CHECK (critical_only IN (0, 1)),
    PRIMARY KEY (role_id, rule_id)
);

CREATE TABLE requests (
    id                    TEXT PRIMARY KEY,
    action                TEXT NOT NULL,
    status                TEXT NOT NULL,
    role_id               TEXT NOT NULL REFERENCES roles(id),
    principal_id          TEXT NOT NULL REFERENCES users(id),
    kind                  TEXT NOT NULL CHECK (kind IN ('eligible', 'active')),
    justification         TEXT,
    ticket_number         TEXT,
    ticket_system         TEXT,
    start_at              INTEGER,
    end_at                INTEGER,
    created_at            INTEGER NOT NULL,
    created_by            TEXT REFERENCES users(id),
    completed_at          INTEGER,
    target_assignment_id  TEXT
);
CREATE INDEX requests_status ON requests(status, created_at);
CREATE INDEX requests_principal ON requests(principal_id, created_at);

CREATE TABLE assignments (
    id              TEXT PRIMARY KEY,
    role_id         TEXT NOT NULL REFERENCES roles(id),
    principal_id    TEXT NOT NULL REFERENCES users(id),
    kind            TEXT NOT NULL CHECK (kind IN ('eligible', 'active')),
    origin          TEXT NOT NULL CHECK (origin IN ('assigned', 'activated')),
    activated_from  TEXT REFERENCES assignments(id),
    start_at        INTEGER NOT NULL,
    end_at          INTEGER,
    justification   TEXT,
    ticket_number   TEXT,
    ticket_system   TEXT,
    created_at      INTEGER NOT NULL,
    created_by      TEXT REFERENCES users(id),
    request_id      TEXT REFERENCES requests(id),
    ended_at        INTEGER,
    end_reason      TEXT CHECK (end_reason IN ('removed', 'deactivated', 'expired', 'revoked', 'updated', 'canceled')),
    CHECK (end_at IS NULL OR end_at > start_at),
    CHECK (kind = 'active' OR origin = 'assigned'),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
-- At most one current (not ended) eligibility and one current active assignment per user and role.
-- Expired rows are ended by the sweep at the start of every write transaction, so they never block.
CREATE UNIQUE INDEX assignments_one_current ON assignments(principal_id, role_id, kind) WHERE ended_at IS NULL;
CREATE INDEX assignments_role ON assignments(role_id, ended_at);
CREATE INDEX assignments_principal ON assignments(principal_id, ended_at);
CREATE INDEX assignments_due ON assignments(end_at) WHERE ended_at IS NULL AND end_at IS NOT NULL;
CREATE INDEX assignments_source ON assignments(activated_from) WHERE activated_from IS NOT NULL;

CREATE TABLE emails (
    id            TEXT PRIMARY KEY,
    created_at    INTEGER NOT NULL,
    recipient_id  TEXT REFERENCES users(id),
    to_addr       TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    event         TEXT NOT NULL,
    role_id       TEXT,
    request_id    TEXT,
    read_at       INTEGER
);
CREATE INDEX emails_recipient ON emails(recipient_id, created_at);

CREATE TABLE audit (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    time           INTEGER NOT NULL,
    actor_id       TEXT,
    actor          TEXT,
    activity       TEXT NOT NULL,
    role_id        TEXT,
    role           TEXT,
    target_id      TEXT,
    target         TEXT,
    justification  TEXT,
    ticket_number  TEXT,
    ticket_system  TEXT,
    result         TEXT NOT NULL,
    details        TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_time ON audit(time);
CREATE INDEX audit_actor ON audit(actor_id, seq);
CREATE INDEX audit_target ON audit(target_id, seq);
CREATE INDEX audit_role ON audit(role_id, seq);
CREATE INDEX audit_activity ON audit(activity, seq);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
