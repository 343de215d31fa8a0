-- PIM Console on PostgreSQL, schema version 1: the same tables, rules and totals as the
-- SQLite schema (store/sql), in PostgreSQL's words. Times are Unix seconds (BIGINT), switches
-- are 0/1 SMALLINTs, as on SQLite, so both backends read and write the same values.

-- SQLite's COLLATE NOCASE, for the same queries: equal and ordered regardless of case. (LIKE
-- runs under "C", as pim's statements say it on PostgreSQL: see pg::sql::translate.)
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE tenant (
    id            TEXT PRIMARY KEY,
    singleton     SMALLINT NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    domain        TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('lab', 'standard')),
    licence       TEXT NOT NULL DEFAULT 'P2' CHECK (licence IN ('P2', 'Free')),
    clock_offset  BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE users (
    rid               BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                TEXT PRIMARY KEY,
    upn               TEXT NOT NULL COLLATE nocase,
    display_name      TEXT NOT NULL,
    enabled           SMALLINT NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    password_hash     TEXT NOT NULL,
    totp_secret       TEXT,
    totp_sealed       BYTEA,
    mfa_registered_at BIGINT,
    totp_last_step    BIGINT,
    failed_attempts   BIGINT NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    lockouts          BIGINT NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
    locked_until      BIGINT,
    last_sign_in      BIGINT,
    created_at        BIGINT NOT NULL,
    object_type       TEXT NOT NULL DEFAULT 'user' CHECK (object_type IN ('user', 'group'))
);
CREATE UNIQUE INDEX users_upn ON users (upn);
CREATE INDEX users_last_seen ON users (coalesce(last_sign_in, created_at)) WHERE enabled = 1;
CREATE INDEX users_clear_secret ON users (id) WHERE totp_secret IS NOT NULL;

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE groups (
    id               TEXT PRIMARY KEY REFERENCES users(id),
    description      TEXT NOT NULL DEFAULT '',
    role_assignable  SMALLINT NOT NULL CHECK (role_assignable IN (0, 1)),
    created_by       TEXT REFERENCES users(id),
    created_at       BIGINT NOT NULL
);

CREATE TABLE roles (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL COLLATE nocase,
    slug          TEXT NOT NULL UNIQUE,
    description   TEXT NOT NULL,
    privileged    SMALLINT NOT NULL CHECK (privileged IN (0, 1)),
    group_id      TEXT REFERENCES groups(id),
    group_access  TEXT CHECK (group_access IN ('member', 'owner'))
);
CREATE UNIQUE INDEX roles_display_name ON roles (display_name);
CREATE UNIQUE INDEX roles_group_access ON roles (group_id, group_access) WHERE group_id IS NOT NULL;

CREATE TABLE role_approvers (
    role_id  TEXT NOT NULL REFERENCES roles(id),
    user_id  TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (role_id, user_id)
);

CREATE TABLE role_notifications (
    role_id                TEXT NOT NULL REFERENCES roles(id),
    rule_id                TEXT NOT NULL,
    default_recipients     SMALLINT NOT NULL CHECK (default_recipients IN (0, 1)),
    additional_recipients  TEXT NOT NULL DEFAULT '',
    critical_only          SMALLINT NOT NULL CHECK (critical_only IN (0, 1)),
    PRIMARY KEY (role_id, rule_id)
);

CREATE TABLE role_settings (
    role_id                            TEXT PRIMARY KEY REFERENCES roles(id),
    max_activation_secs                BIGINT NOT NULL
        CHECK (max_activation_secs BETWEEN 1800 AND 86400 AND max_activation_secs % 60 = 0),
    require_mfa                        SMALLINT NOT NULL CHECK (require_mfa IN (0, 1)),
    require_justification              SMALLINT NOT NULL CHECK (require_justification IN (0, 1)),
    require_ticket                     SMALLINT NOT NULL CHECK (require_ticket IN (0, 1)),
    require_approval                   SMALLINT NOT NULL CHECK (require_approval IN (0, 1)),
    allow_permanent_eligible           SMALLINT NOT NULL CHECK (allow_permanent_eligible IN (0, 1)),
    expire_eligible_days               BIGINT NOT NULL CHECK (expire_eligible_days BETWEEN 1 AND 365),
    allow_permanent_active             SMALLINT NOT NULL CHECK (allow_permanent_active IN (0, 1)),
    expire_active_days                 BIGINT NOT NULL CHECK (expire_active_days BETWEEN 1 AND 365),
    require_mfa_on_active              SMALLINT NOT NULL CHECK (require_mfa_on_active IN (0, 1)),
    require_justification_on_active    SMALLINT NOT NULL CHECK (require_justification_on_active IN (0, 1)),
    require_mfa_on_eligible            SMALLINT NOT NULL DEFAULT 0 CHECK (require_mfa_on_eligible IN (0, 1)),
    require_justification_on_eligible  SMALLINT NOT NULL DEFAULT 0 CHECK (require_justification_on_eligible IN (0, 1)),
    auth_context                       TEXT CHECK (auth_context IS NULL OR auth_context ~ '^c[1-9][0-9]?$'),
    updated_at                         BIGINT,
    updated_by                         TEXT REFERENCES users(id)
);

CREATE TABLE requests (
    rid                   BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                    TEXT PRIMARY KEY,
    action                TEXT NOT NULL,
    status                TEXT NOT NULL,
    role_id               TEXT NOT NULL REFERENCES roles(id),
    principal_id          TEXT NOT NULL REFERENCES users(id),
    kind                  TEXT NOT NULL CHECK (kind IN ('eligible', 'active')),
    justification         TEXT,
    ticket_number         TEXT,
    ticket_system         TEXT,
    start_at              BIGINT,
    end_at                BIGINT,
    duration_secs         BIGINT,
    created_at            BIGINT NOT NULL,
    created_by            TEXT REFERENCES users(id),
    completed_at          BIGINT,
    target_assignment_id  TEXT,
    source_assignment_id  TEXT,
    decided_by            TEXT REFERENCES users(id),
    decision_reason       TEXT,
    expires_at            BIGINT
);
CREATE INDEX requests_status ON requests (status, created_at);
CREATE INDEX requests_principal ON requests (principal_id, created_at);
CREATE INDEX requests_open ON requests (expires_at)
    WHERE status IN ('PendingApproval', 'PendingAdminDecision');
CREATE INDEX requests_source ON requests (source_assignment_id);

-- `rid` plays SQLite's rowid: insertion order, and the key the alert totals sum.
CREATE TABLE assignments (
    rid               BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                TEXT PRIMARY KEY,
    role_id           TEXT NOT NULL REFERENCES roles(id),
    principal_id      TEXT NOT NULL REFERENCES users(id),
    kind              TEXT NOT NULL CHECK (kind IN ('eligible', 'active')),
    origin            TEXT NOT NULL CHECK (origin IN ('assigned', 'activated')),
    activated_from    TEXT REFERENCES assignments(id),
    start_at          BIGINT NOT NULL,
    end_at            BIGINT,
    justification     TEXT,
    ticket_number     TEXT,
    ticket_system     TEXT,
    created_at        BIGINT NOT NULL,
    created_by        TEXT REFERENCES users(id),
    request_id        TEXT REFERENCES requests(id),
    ended_at          BIGINT,
    end_reason        TEXT CHECK (end_reason IN ('removed', 'deactivated', 'expired', 'revoked', 'updated', 'canceled')),
    reminded_14d      BIGINT,
    reminded_1d       BIGINT,
    last_activated_at BIGINT,
    CHECK (end_at IS NULL OR end_at > start_at),
    CHECK (kind = 'active' OR origin = 'assigned'),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE UNIQUE INDEX assignments_one_current ON assignments (principal_id, role_id, kind) WHERE ended_at IS NULL;
CREATE INDEX assignments_role ON assignments (role_id, ended_at);
CREATE INDEX assignments_principal ON assignments (principal_id, ended_at);
CREATE INDEX assignments_due ON assignments (end_at) WHERE ended_at IS NULL AND end_at IS NOT NULL;
CREATE INDEX assignments_source ON assignments (activated_from) WHERE activated_from IS NOT NULL;
CREATE INDEX assignments_remind_14d ON assignments (end_at)
    WHERE ended_at IS NULL AND origin = 'assigned' AND end_at IS NOT NULL AND reminded_14d IS NULL;
CREATE INDEX assignments_remind_1d ON assignments (end_at)
    WHERE ended_at IS NULL AND origin = 'assigned' AND end_at IS NOT NULL AND reminded_1d IS NULL;
CREATE INDEX assignments_role_current ON assignments (role_id, created_at) WHERE ended_at IS NULL;
CREATE INDEX assignments_principal_current ON assignments (principal_id, created_at) WHERE ended_at IS NULL;
CREATE INDEX assignments_current_assigned ON assignments (end_at, origin, ended_at)
    WHERE ended_at IS NULL AND origin = 'assigned';
CREATE INDEX assignments_permanent_active ON assignments (role_id, kind, origin, end_at, ended_at)
    WHERE ended_at IS NULL AND end_at IS NULL AND kind = 'active' AND origin = 'assigned';
CREATE INDEX assignments_activations ON assignments (start_at) WHERE origin = 'activated';
CREATE INDEX assignments_eligible_use
    ON assignments (role_id, created_at, last_activated_at, end_at, kind, ended_at)
    WHERE ended_at IS NULL AND kind = 'eligible';
CREATE INDEX assignments_eligible_recent ON assignments (last_activated_at)
    WHERE ended_at IS NULL AND kind = 'eligible';
CREATE INDEX assignments_current_counts ON assignments (role_id, kind, end_at) WHERE ended_at IS NULL;

CREATE TABLE emails (
    rid           BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id            TEXT PRIMARY KEY,
    created_at    BIGINT NOT NULL,
    recipient_id  TEXT REFERENCES users(id),
    to_addr       TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    event         TEXT NOT NULL,
    role_id       TEXT,
    request_id    TEXT,
    read_at       BIGINT
);
CREATE INDEX emails_recipient ON emails (recipient_id, created_at);

-- The audit log: numbered by the one writer at a time (pim's write lock), append-only for
-- everyone, the owner included.
CREATE TABLE audit (
    seq            BIGINT PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    time           BIGINT NOT NULL,
    real_time      BIGINT,
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
    hash           TEXT NOT NULL,
    subject_id     TEXT GENERATED ALWAYS AS (details::jsonb ->> 'assignment_id') STORED,
    words          tsvector GENERATED ALWAYS AS (to_tsvector('simple',
        coalesce(justification, '') || ' ' || coalesce(ticket_number, '') || ' ' ||
        coalesce(actor, '') || ' ' || coalesce(target, '') || ' ' || details)) STORED
);
CREATE INDEX audit_time ON audit (time);
CREATE INDEX audit_actor ON audit (actor_id, seq);
CREATE INDEX audit_target ON audit (target_id, seq);
CREATE INDEX audit_role ON audit (role_id, seq);
CREATE INDEX audit_subject ON audit (subject_id);
CREATE INDEX audit_words ON audit USING gin (words);

-- The key that seals the accounts' TOTP secrets. On SQLite it is a file beside the database;
-- here every host of the tenant needs it, so it lives with the data it seals, behind the
-- server's access control.
CREATE TABLE seal_key (
    singleton  SMALLINT PRIMARY KEY DEFAULT 1 CHECK (singleton = 1),
    key_text   TEXT NOT NULL
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE alert_settings (
    alert_id  TEXT PRIMARY KEY,
    enabled   SMALLINT NOT NULL CHECK (enabled IN (0, 1)),
    config    TEXT NOT NULL
);

CREATE TABLE alert_dismissals (
    alert_id      TEXT PRIMARY KEY,
    fingerprint   TEXT NOT NULL,
    dismissed_at  BIGINT NOT NULL,
    dismissed_by  TEXT REFERENCES users(id)
);

CREATE TABLE bundles (
    user_id        TEXT NOT NULL REFERENCES users(id),
    name           TEXT NOT NULL COLLATE nocase,
    role_ids       TEXT NOT NULL,
    duration_secs  BIGINT CHECK (duration_secs IS NULL OR duration_secs > 0),
    justification  TEXT,
    saved_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX bundles_name ON bundles (user_id, name);

CREATE TABLE reviews (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role_id       TEXT NOT NULL REFERENCES roles(id),
    self_review   SMALLINT NOT NULL CHECK (self_review IN (0, 1)),
    start_at      BIGINT NOT NULL,
    end_at        BIGINT NOT NULL CHECK (end_at > start_at),
    recurrence    TEXT CHECK (recurrence IN ('weekly', 'monthly', 'quarterly')),
    auto_apply    SMALLINT NOT NULL CHECK (auto_apply IN (0, 1)),
    no_response   TEXT NOT NULL DEFAULT 'keep'
                  CHECK (no_response IN ('keep', 'remove', 'approve', 'recommendation')),
    created_by    TEXT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    reminded_at   BIGINT,
    completed_at  BIGINT
);
CREATE INDEX reviews_open ON reviews (end_at) WHERE completed_at IS NULL;

CREATE TABLE review_reviewers (
    review_id  TEXT NOT NULL REFERENCES reviews(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (review_id, user_id)
);

CREATE TABLE review_items (
    review_id              TEXT NOT NULL REFERENCES reviews(id),
    assignment_id          TEXT NOT NULL REFERENCES assignments(id),
    principal_id           TEXT NOT NULL REFERENCES users(id),
    recommendation         TEXT NOT NULL CHECK (recommendation IN ('approve', 'deny')),
    recommendation_reason  TEXT NOT NULL,
    decision               TEXT CHECK (decision IN ('approve', 'deny')),
    decided_by             TEXT REFERENCES users(id),
    decided_at             BIGINT,
    reason                 TEXT,
    outcome                TEXT CHECK (outcome IN ('removed', 'kept', 'unchanged')),
    PRIMARY KEY (review_id, assignment_id)
);

-- Totals the alerts read instead of scanning, kept by triggers as on SQLite.
CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('current_assigned', 0);

CREATE TABLE assignments_unaudited (
    assignment_id  TEXT PRIMARY KEY
);

CREATE TABLE eligible_totals (
    role_id    TEXT PRIMARY KEY,
    items      BIGINT NOT NULL,
    rowid_sum  BIGINT NOT NULL,
    rowid_mix  BIGINT NOT NULL
);

-- Adds (sign 1) or takes away (sign -1) one current eligible assignment of a role.
CREATE FUNCTION eligible_totals_add(role TEXT, rid BIGINT, sign BIGINT) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO eligible_totals AS t (role_id, items, rowid_sum, rowid_mix)
        VALUES (role, sign, sign * rid, sign * ((rid * 2654435761) % 4294967311))
        ON CONFLICT (role_id) DO UPDATE SET items = t.items + excluded.items,
            rowid_sum = t.rowid_sum + excluded.rowid_sum, rowid_mix = t.rowid_mix + excluded.rowid_mix;
$$;

CREATE FUNCTION assignments_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF new.origin = 'activated' THEN
        UPDATE assignments SET last_activated_at = greatest(coalesce(last_activated_at, new.start_at), new.start_at)
        WHERE principal_id = new.principal_id AND role_id = new.role_id AND kind = 'eligible'
            AND ended_at IS NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit WHERE subject_id = new.id AND result = 'success') THEN
        INSERT INTO assignments_unaudited (assignment_id) VALUES (new.id) ON CONFLICT DO NOTHING;
    END IF;
    IF new.ended_at IS NULL AND new.origin = 'assigned' THEN
        UPDATE counters SET value = value + 1 WHERE name = 'current_assigned';
    END IF;
    IF new.ended_at IS NULL AND new.kind = 'eligible' THEN
        PERFORM eligible_totals_add(new.role_id, new.rid, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER assignments_after_insert AFTER INSERT ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignments_after_insert();

CREATE FUNCTION assignments_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF old.origin = 'assigned' AND (old.ended_at IS NULL) <> (new.ended_at IS NULL) THEN
        UPDATE counters SET value = value + CASE WHEN new.ended_at IS NULL THEN 1 ELSE -1 END
        WHERE name = 'current_assigned';
    END IF;
    IF old.ended_at IS NULL AND old.kind = 'eligible' THEN
        PERFORM eligible_totals_add(old.role_id, old.rid, -1);
    END IF;
    IF new.ended_at IS NULL AND new.kind = 'eligible' THEN
        PERFORM eligible_totals_add(new.role_id, new.rid, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER assignments_after_update AFTER UPDATE OF kind, ended_at, role_id ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignments_after_update();

CREATE FUNCTION assignments_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF old.ended_at IS NULL AND old.origin = 'assigned' THEN
        UPDATE counters SET value = value - 1 WHERE name = 'current_assigned';
    END IF;
    IF old.ended_at IS NULL AND old.kind = 'eligible' THEN
        PERFORM eligible_totals_add(old.role_id, old.rid, -1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER assignments_after_delete AFTER DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignments_after_delete();

CREATE FUNCTION audit_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF new.subject_id IS NOT NULL AND new.result = 'success' THEN
        DELETE FROM assignments_unaudited WHERE assignment_id = new.subject_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_after_insert AFTER INSERT ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_after_insert();
