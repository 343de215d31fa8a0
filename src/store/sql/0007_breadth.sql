-- PIM Console schema version 7: Entra's breadth.
-- Append-only: once shipped, this file is never edited.

-- On activation a role may require a Conditional Access authentication context (its claim value,
-- c1 to c99) instead of MFA (Graph's AuthenticationContext_EndUser_Assignment).
ALTER TABLE role_settings ADD COLUMN auth_context TEXT
    CHECK (auth_context IS NULL OR auth_context GLOB 'c[1-9]' OR auth_context GLOB 'c[1-9][0-9]');
