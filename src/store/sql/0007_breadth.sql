-- PIM Console schema version 7: Entra's breadth.
-- Append-only: once shipped, this file is never edited.

-- On activation a role may require a Conditional Access authentication context (its claim value,
-- c1 to c99) instead of MFA (Graph's AuthenticationContext_EndUser_Assignment).
ALTER TABLE role_settings ADD COLUMN auth_context TEXT
    CHECK (auth_context IS NULL OR auth_context GLOB 'c[1-9]' OR auth_context GLOB 'c[1-9][0-9]');

-- Access reviews of a role's assignments: who reviews (named reviewers, or each member their
-- own access), for how long, whether results apply by themselves at the end, and the next
-- review of a recurring series. Each assignment under review is an item, with Entra's
-- recommendation taken when the review started and the decision made on it.
CREATE TABLE reviews (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role_id       TEXT NOT NULL REFERENCES roles(id),
    self_review   INTEGER NOT NULL CHECK (self_review IN (0, 1)),
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL CHECK (end_at > start_at),
    recurrence    TEXT CHECK (recurrence IN ('weekly', 'monthly', 'quarterly')),
    auto_apply    INTEGER NOT NULL CHECK (auto_apply IN (0, 1)),
    -- What the end does with an assignment nobody decided on (Entra's "If reviewers don't
    -- respond"): leave it, remove it, approve it, or take the recommendation.
    no_response   TEXT NOT NULL DEFAULT 'keep'
                  CHECK (no_response IN ('keep', 'remove', 'approve', 'recommendation')),
    created_by    TEXT REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    reminded_at   INTEGER,
    completed_at  INTEGER
);
CREATE INDEX reviews_open ON reviews(end_at) WHERE completed_at IS NULL;
CREATE TABLE review_reviewers (
    review_id  TEXT NOT NULL REFERENCES reviews(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (review_id, user_id)
) WITHOUT ROWID;
CREATE TABLE review_items (
    review_id      TEXT NOT NULL REFERENCES reviews(id),
    assignment_id  TEXT NOT NULL REFERENCES assignments(id),
    principal_id   TEXT NOT NULL REFERENCES users(id),
    recommendation TEXT NOT NULL CHECK (recommendation IN ('approve', 'deny')),
    recommendation_reason TEXT NOT NULL,
    decision       TEXT CHECK (decision IN ('approve', 'deny')),
    decided_by     TEXT REFERENCES users(id),
    decided_at     INTEGER,
    reason         TEXT,
    outcome        TEXT CHECK (outcome IN ('removed', 'kept', 'unchanged')),
    PRIMARY KEY (review_id, assignment_id)
) WITHOUT ROWID;

-- The audit log's activity filter matches any part of the name (LIKE '%…%'), which no index
-- serves: the index on it only cost every appended entry a write.
DROP INDEX audit_activity;

-- PIM for Groups. A group is a directory object like a user: a role assigned to a group names
-- the group as its principal, so the group has a row among the principals (object_type 'group',
-- disabled, no password: it can never sign in) and its own row here. Membership and ownership
-- are PIM-managed like roles: each group has a member entry and an owner entry in the role
-- catalogue, each with its own settings, assigned and activated through the same lifecycle.
ALTER TABLE users ADD COLUMN object_type TEXT NOT NULL DEFAULT 'user'
    CHECK (object_type IN ('user', 'group'));
CREATE TABLE groups (
    id               TEXT PRIMARY KEY REFERENCES users(id),
    description      TEXT NOT NULL DEFAULT '',
    role_assignable  INTEGER NOT NULL CHECK (role_assignable IN (0, 1)),
    created_by       TEXT REFERENCES users(id),
    created_at       INTEGER NOT NULL
);
ALTER TABLE roles ADD COLUMN group_id TEXT REFERENCES groups(id);
ALTER TABLE roles ADD COLUMN group_access TEXT CHECK (group_access IN ('member', 'owner'));
CREATE UNIQUE INDEX roles_group_access ON roles(group_id, group_access) WHERE group_id IS NOT NULL;
