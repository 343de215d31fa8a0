-- PIM Console schema version 6: a big tenant.
-- Append-only: once shipped, this file is never edited.

-- Current assignments of a role or of a person, newest first: a page walks the index in order
-- and stops at its end instead of sorting everything the role or the person ever had.
CREATE INDEX assignments_role_current ON assignments(role_id, created_at) WHERE ended_at IS NULL;
CREATE INDEX assignments_principal_current ON assignments(principal_id, created_at) WHERE ended_at IS NULL;

-- Audit text search: the words of each entry's justification, ticket, actor, target and details,
-- kept by a trigger as entries are appended (the log is append-only, so nothing else changes it).
-- A bulk append (the lab seed) marks the index deferred in `meta` and adds its entries' words in
-- one statement before its transaction commits: FTS5 writes its pending words out at every
-- statement that touches it, so one entry at a time would leave a segment per entry to merge.
-- The index keeps no positions or sizes (`detail = 'none'`, `columnsize = 0`): a search checks
-- the exact text of what it finds afterwards and never ranks.
CREATE VIRTUAL TABLE audit_text USING fts5(
    justification, ticket_number, actor, target, details,
    content = 'audit', content_rowid = 'seq', detail = 'none', columnsize = 0
);
-- The existing log is indexed in one go without merging segments as it goes (a fifth faster;
-- searches are as fast), then FTS5's default merging is back on for the entries to come.
INSERT INTO audit_text (audit_text, rank) VALUES ('automerge', 0);
INSERT INTO audit_text (rowid, justification, ticket_number, actor, target, details)
    SELECT seq, justification, ticket_number, actor, target, details FROM audit;
INSERT INTO audit_text (audit_text, rank) VALUES ('automerge', 4);
CREATE TRIGGER audit_text_append AFTER INSERT ON audit
    WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'audit_text_deferred')
BEGIN
    INSERT INTO audit_text (rowid, justification, ticket_number, actor, target, details)
        VALUES (new.seq, new.justification, new.ticket_number, new.actor, new.target, new.details);
END;

-- Security alerts without scanning the tenant: each alert counts its affected items on an
-- index that holds exactly them (and every column its query names, so no row is read), and
-- lists only the items it shows.
CREATE INDEX assignments_current_assigned ON assignments(end_at, origin, ended_at)
    WHERE ended_at IS NULL AND origin = 'assigned';
CREATE INDEX assignments_permanent_active ON assignments(role_id, kind, origin, end_at, ended_at)
    WHERE ended_at IS NULL AND end_at IS NULL AND kind = 'active' AND origin = 'assigned';
CREATE INDEX assignments_activations ON assignments(start_at) WHERE origin = 'activated';
CREATE INDEX users_last_seen ON users(coalesce(last_sign_in, created_at)) WHERE enabled = 1;

-- When an eligible assignment's role was last activated ("Administrators aren't using their
-- privileged roles"), kept by a trigger as activations are written.
ALTER TABLE assignments ADD COLUMN last_activated_at INTEGER;
UPDATE assignments SET last_activated_at = used.last
FROM (SELECT principal_id, role_id, max(start_at) AS last FROM assignments
      WHERE origin = 'activated' GROUP BY principal_id, role_id) AS used
WHERE assignments.principal_id = used.principal_id AND assignments.role_id = used.role_id
  AND assignments.kind = 'eligible' AND assignments.ended_at IS NULL;
CREATE INDEX assignments_eligible_use
    ON assignments(role_id, created_at, last_activated_at, end_at, kind, ended_at)
    WHERE ended_at IS NULL AND kind = 'eligible';
CREATE TRIGGER assignments_activation_used AFTER INSERT ON assignments WHEN new.origin = 'activated'
BEGIN
    UPDATE assignments SET last_activated_at = max(coalesce(last_activated_at, new.start_at), new.start_at)
    WHERE principal_id = new.principal_id AND role_id = new.role_id AND kind = 'eligible' AND ended_at IS NULL;
END;

-- Assignments no audited operation made ("Roles are being assigned outside of PIM"): every new
-- assignment is listed until a successful audit entry about it is appended, which pim does in
-- the same transaction; a row written into the database directly stays listed, and so does one
-- that someone only tried (and was refused) to change.
CREATE TABLE assignments_unaudited (assignment_id TEXT PRIMARY KEY) WITHOUT ROWID;
-- (Filled as a set difference: one pass over the log, not a lookup into it per assignment.)
INSERT INTO assignments_unaudited (assignment_id)
    SELECT id FROM assignments
    EXCEPT SELECT subject_id FROM audit WHERE subject_id IS NOT NULL AND result = 'success';
CREATE TRIGGER assignments_unaudited_insert AFTER INSERT ON assignments
    WHEN NOT EXISTS (SELECT 1 FROM audit WHERE subject_id = new.id AND result = 'success')
BEGIN
    INSERT OR IGNORE INTO assignments_unaudited (assignment_id) VALUES (new.id);
END;
CREATE TRIGGER assignments_unaudited_audited AFTER INSERT ON audit
    WHEN new.subject_id IS NOT NULL AND new.result = 'success'
BEGIN
    DELETE FROM assignments_unaudited WHERE assignment_id = new.subject_id;
END;

-- How many current assignments were made by an administrator (the base of "too many Global
-- Administrators"), kept by triggers so reading it costs one row whatever the tenant's size.
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES
    ('current_assigned', (SELECT count(*) FROM assignments WHERE ended_at IS NULL AND origin = 'assigned'));
CREATE TRIGGER counters_assigned_insert AFTER INSERT ON assignments
    WHEN new.ended_at IS NULL AND new.origin = 'assigned'
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'current_assigned';
END;
CREATE TRIGGER counters_assigned_end AFTER UPDATE OF ended_at ON assignments
    WHEN old.origin = 'assigned' AND (old.ended_at IS NULL) <> (new.ended_at IS NULL)
BEGIN
    UPDATE counters SET value = value + CASE WHEN new.ended_at IS NULL THEN 1 ELSE -1 END
    WHERE name = 'current_assigned';
END;
CREATE TRIGGER counters_assigned_delete AFTER DELETE ON assignments
    WHEN old.ended_at IS NULL AND old.origin = 'assigned'
BEGIN
    UPDATE counters SET value = value - 1 WHERE name = 'current_assigned';
END;

-- Each role's current eligible assignments, counted with two sums over their row ids (the
-- fingerprint `store/alerts.rs` takes of an alert's items: sum(rowid) and
-- sum((rowid * 2654435761) % 4294967311)), kept by triggers: "Administrators aren't using
-- their privileged roles" subtracts the few recently created, expired or used ones instead of
-- counting every eligible administrator at each call.
CREATE TABLE eligible_totals (
    role_id TEXT PRIMARY KEY,
    items INTEGER NOT NULL,
    rowid_sum INTEGER NOT NULL,
    rowid_mix INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO eligible_totals (role_id, items, rowid_sum, rowid_mix)
    SELECT role_id, count(*), sum(rowid), sum((rowid * 2654435761) % 4294967311) FROM assignments
    WHERE ended_at IS NULL AND kind = 'eligible' GROUP BY role_id;
CREATE TRIGGER eligible_totals_insert AFTER INSERT ON assignments
    WHEN new.ended_at IS NULL AND new.kind = 'eligible'
BEGIN
    INSERT INTO eligible_totals (role_id, items, rowid_sum, rowid_mix)
        VALUES (new.role_id, 1, new.rowid, (new.rowid * 2654435761) % 4294967311)
        ON CONFLICT (role_id) DO UPDATE SET items = items + 1, rowid_sum = rowid_sum + excluded.rowid_sum,
            rowid_mix = rowid_mix + excluded.rowid_mix;
END;
CREATE TRIGGER eligible_totals_update AFTER UPDATE OF kind, ended_at, role_id ON assignments
    WHEN (old.ended_at IS NULL AND old.kind = 'eligible') OR (new.ended_at IS NULL AND new.kind = 'eligible')
BEGIN
    UPDATE eligible_totals SET items = items - 1, rowid_sum = rowid_sum - old.rowid,
        rowid_mix = rowid_mix - (old.rowid * 2654435761) % 4294967311
    WHERE role_id = old.role_id AND old.ended_at IS NULL AND old.kind = 'eligible';
    INSERT INTO eligible_totals (role_id, items, rowid_sum, rowid_mix)
        SELECT new.role_id, 1, new.rowid, (new.rowid * 2654435761) % 4294967311
        WHERE new.ended_at IS NULL AND new.kind = 'eligible'
        ON CONFLICT (role_id) DO UPDATE SET items = items + 1, rowid_sum = rowid_sum + excluded.rowid_sum,
            rowid_mix = rowid_mix + excluded.rowid_mix;
END;
CREATE TRIGGER eligible_totals_delete AFTER DELETE ON assignments
    WHEN old.ended_at IS NULL AND old.kind = 'eligible'
BEGIN
    UPDATE eligible_totals SET items = items - 1, rowid_sum = rowid_sum - old.rowid,
        rowid_mix = rowid_mix - (old.rowid * 2654435761) % 4294967311
    WHERE role_id = old.role_id;
END;
-- The eligible assignments used recently, the part of them the alert subtracts.
CREATE INDEX assignments_eligible_recent ON assignments(last_activated_at)
    WHERE ended_at IS NULL AND kind = 'eligible';

-- Secrets left in clear by a version before sealing: found without reading every account.
CREATE INDEX users_clear_secret ON users(id) WHERE totp_secret IS NOT NULL;

-- The role catalogue's counts of current assignments per role and type, from the index alone.
CREATE INDEX assignments_current_counts ON assignments(role_id, kind, end_at) WHERE ended_at IS NULL;
