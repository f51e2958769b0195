-- +goose Up
-- A judge's declaration waits for an organizer: pending changes nothing
-- (otherwise declaring a country and watching the queue would tell a blind
-- judge who made which entry); only a confirmed one is in effect. The
-- organizer's note goes with the decision. Recusals and the declarations
-- made before this migration were in effect already: they stay confirmed.
ALTER TABLE conflicts ADD COLUMN status TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('pending','confirmed','declined'));
ALTER TABLE conflicts ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- A member's organisation and country as they were when they joined the
-- competition. A judge's automatic conflicts come from these, not from the
-- profile they can edit (changing it and watching the queue would be the
-- same oracle).
ALTER TABLE memberships ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN country TEXT NOT NULL DEFAULT '';
UPDATE memberships SET
    organisation = (SELECT u.organisation FROM users u WHERE u.id = memberships.user_id),
    country = (SELECT u.country FROM users u WHERE u.id = memberships.user_id);

-- +goose Down
ALTER TABLE memberships DROP COLUMN country;
ALTER TABLE memberships DROP COLUMN organisation;
ALTER TABLE conflicts DROP COLUMN note;
ALTER TABLE conflicts DROP COLUMN status;
