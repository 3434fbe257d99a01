ALTER TABLE overlord_tasks DROP COLUMN lease_until;
