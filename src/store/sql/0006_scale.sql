-- PIM Console schema version 6: a big tenant.
-- Append-only: once shipped, this file is never edited.

-- Current assignments of a role or of a person, newest first: a page walks the index in order
-- and stops at its end instead of sorting everything the role or the person ever had.
CREATE INDEX assignments_role_current ON assignments(role_id, created_at) WHERE ended_at IS NULL;
CREATE INDEX assignments_principal_current ON assignments(principal_id, created_at) WHERE ended_at IS NULL;

-- Audit text search: the words of each entry's justification, ticket, actor, target and details,
-- kept by a trigger as entries are appended (the log is append-only, so nothing else changes it).
CREATE VIRTUAL TABLE audit_text USING fts5(
    justification, ticket_number, actor, target, details,
    content = 'audit', content_rowid = 'seq', detail = 'none'
);
INSERT INTO audit_text (rowid, justification, ticket_number, actor, target, details)
    SELECT seq, justification, ticket_number, actor, target, details FROM audit;
CREATE TRIGGER audit_text_append AFTER INSERT ON audit
BEGIN
    INSERT INTO audit_text (rowid, justification, ticket_number, actor, target, details)
        VALUES (new.seq, new.justification, new.ticket_number, new.actor, new.target, new.details);
END;
