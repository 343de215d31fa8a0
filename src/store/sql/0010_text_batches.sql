-- PIM Console schema version 10: the audit text index is kept in batches.
-- Append-only: once shipped, this file is never edited.

-- Until now a trigger added each entry's words to `audit_text` as it was appended. FTS5 writes
-- its pending words out as a new segment at the end of every statement that touches it, so each
-- change wrote a segment of one entry (and merged them as they piled up), and every change paid
-- for opening the index. The index now trails the log: `audit_text_through` in `meta` is the
-- number of the newest entry it holds, and the store adds the entries after it in one statement
-- once they reach a batch (`store/audit`). A search reads the index for the entries up to there
-- and checks the few after it directly, so it finds the same entries as before.
DROP TRIGGER audit_text_append;
INSERT INTO meta (key, value)
    SELECT 'audit_text_through', coalesce(max(seq), 0) FROM audit WHERE true
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
