-- PIM Console schema version 8: alerts at scale (permanent active totals, activations by pair).
-- Append-only: once shipped, this file is never edited.

-- Each role's current permanent active assignments made by assignment (not activation), with
-- the two sums over their row ids that fingerprint an alert's items (`store/alerts.rs`), kept
-- by triggers: "There are permanent active assignments" reads one row per role instead of
-- counting every standing administrator of a large tenant at each call.
CREATE TABLE permanent_totals (
    role_id TEXT PRIMARY KEY,
    items INTEGER NOT NULL,
    rowid_sum INTEGER NOT NULL,
    rowid_mix INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO permanent_totals (role_id, items, rowid_sum, rowid_mix)
    SELECT role_id, count(*), sum(rowid), sum((rowid * 2654435761) % 4294967311) FROM assignments
    WHERE ended_at IS NULL AND end_at IS NULL AND kind = 'active' AND origin = 'assigned'
    GROUP BY role_id;
CREATE TRIGGER permanent_totals_insert AFTER INSERT ON assignments
    WHEN new.ended_at IS NULL AND new.end_at IS NULL AND new.kind = 'active' AND new.origin = 'assigned'
BEGIN
    INSERT INTO permanent_totals (role_id, items, rowid_sum, rowid_mix)
        VALUES (new.role_id, 1, new.rowid, (new.rowid * 2654435761) % 4294967311)
        ON CONFLICT (role_id) DO UPDATE SET items = items + 1, rowid_sum = rowid_sum + excluded.rowid_sum,
            rowid_mix = rowid_mix + excluded.rowid_mix;
END;
CREATE TRIGGER permanent_totals_update AFTER UPDATE OF kind, origin, end_at, ended_at, role_id ON assignments
    WHEN (old.ended_at IS NULL AND old.end_at IS NULL AND old.kind = 'active' AND old.origin = 'assigned')
      OR (new.ended_at IS NULL AND new.end_at IS NULL AND new.kind = 'active' AND new.origin = 'assigned')
BEGIN
    UPDATE permanent_totals SET items = items - 1, rowid_sum = rowid_sum - old.rowid,
        rowid_mix = rowid_mix - (old.rowid * 2654435761) % 4294967311
    WHERE role_id = old.role_id
      AND old.ended_at IS NULL AND old.end_at IS NULL AND old.kind = 'active' AND old.origin = 'assigned';
    INSERT INTO permanent_totals (role_id, items, rowid_sum, rowid_mix)
        SELECT new.role_id, 1, new.rowid, (new.rowid * 2654435761) % 4294967311
        WHERE new.ended_at IS NULL AND new.end_at IS NULL AND new.kind = 'active' AND new.origin = 'assigned'
        ON CONFLICT (role_id) DO UPDATE SET items = items + 1, rowid_sum = rowid_sum + excluded.rowid_sum,
            rowid_mix = rowid_mix + excluded.rowid_mix;
END;
CREATE TRIGGER permanent_totals_delete AFTER DELETE ON assignments
    WHEN old.ended_at IS NULL AND old.end_at IS NULL AND old.kind = 'active' AND old.origin = 'assigned'
BEGIN
    UPDATE permanent_totals SET items = items - 1, rowid_sum = rowid_sum - old.rowid,
        rowid_mix = rowid_mix - (old.rowid * 2654435761) % 4294967311
    WHERE role_id = old.role_id;
END;

-- The activations' index also holds who activated which role, so "Roles are being activated
-- too frequently" finds the people and roles activated often enough from the index alone and
-- reads only their rows.
DROP INDEX assignments_activations;
CREATE INDEX assignments_activations ON assignments(start_at, principal_id, role_id)
    WHERE origin = 'activated';
