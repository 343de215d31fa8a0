-- PIM Console schema version 9: a role's holders read from one index.
-- Append-only: once shipped, this file is never edited.

-- Who holds a role now (the administrators every activation alert goes to, the members of a
-- group the role is assigned to) from the index alone, without reading each assignment's row:
-- the catalogue's counts index, widened by the columns that question reads. Its leading
-- columns are unchanged, so the counts read it as before.
DROP INDEX assignments_current_counts;
CREATE INDEX assignments_current_counts
    ON assignments(role_id, kind, end_at, start_at, principal_id, ended_at)
    WHERE ended_at IS NULL;
