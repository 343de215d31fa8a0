-- PIM Console schema version 2: approvals, extend/renew, expiry reminders, alerts.
-- Append-only: once shipped, this file is never edited.

-- Requests that wait for a decision.
ALTER TABLE requests ADD COLUMN duration_secs INTEGER;
ALTER TABLE requests ADD COLUMN source_assignment_id TEXT;
ALTER TABLE requests ADD COLUMN decided_by TEXT REFERENCES users(id);
ALTER TABLE requests ADD COLUMN decision_reason TEXT;
ALTER TABLE requests ADD COLUMN expires_at INTEGER;
CREATE INDEX requests_open ON requests(expires_at)
    WHERE status IN ('PendingApproval', 'PendingAdminDecision');
CREATE INDEX requests_source ON requests(source_assignment_id);

-- Expiry reminders, each recorded once (the expiry e-mail goes with the recorded expiry).
ALTER TABLE assignments ADD COLUMN reminded_14d INTEGER;
ALTER TABLE assignments ADD COLUMN reminded_1d INTEGER;
CREATE INDEX assignments_remind_14d ON assignments(end_at)
    WHERE ended_at IS NULL AND origin = 'assigned' AND end_at IS NOT NULL AND reminded_14d IS NULL;
CREATE INDEX assignments_remind_1d ON assignments(end_at)
    WHERE ended_at IS NULL AND origin = 'assigned' AND end_at IS NOT NULL AND reminded_1d IS NULL;

-- Which assignment an audit entry is about, so "made outside PIM" is one indexed lookup.
ALTER TABLE audit ADD COLUMN subject_id TEXT GENERATED ALWAYS AS (json_extract(details, '$.assignment_id')) VIRTUAL;
CREATE INDEX audit_subject ON audit(subject_id);

-- Security alerts: settings per alert, and dismissals (valid while the affected items stay the same).
CREATE TABLE alert_settings (
    alert_id  TEXT PRIMARY KEY,
    enabled   INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    config    TEXT NOT NULL
);
CREATE TABLE alert_dismissals (
    alert_id      TEXT PRIMARY KEY,
    fingerprint   TEXT NOT NULL,
    dismissed_at  INTEGER NOT NULL,
    dismissed_by  TEXT REFERENCES users(id)
);
