-- Migration 37: a service assigned to a member whose access runs out by
-- itself (a role lapsing to the blocking role, external access with an
-- end) ends with that access (issue 11). Assignments made before the rule
-- are brought under it, so that none reads as held past that end, even
-- where the end has passed already. An account's owner holds everything
-- whatever their role, and keeps theirs.
UPDATE services
    SET assigned_until = NULLIF(min(
        COALESCE(assigned_until, '~'),
        COALESCE((SELECT m.role_until FROM memberships m JOIN roles r ON r.id = m.role_after
                   WHERE m.id = services.assigned_to AND r.blocking = 1), '~'),
        COALESCE((SELECT m.external_until FROM memberships m
                   WHERE m.id = services.assigned_to AND m.external_from IS NOT NULL), '~')
    ), '~')
    WHERE assigned_to IN (
        SELECT m.id FROM memberships m JOIN accounts a ON a.id = m.account_id
         WHERE m.status = 'active'
           AND (a.owner_id IS NULL OR a.owner_id <> m.person_id)
           AND (m.role_until IS NOT NULL OR m.external_until IS NOT NULL)
    );
