-- A running task's lease: until when the instance sending it answers for it. A
-- starting instance fails only running tasks whose lease has run out.
ALTER TABLE overlord_tasks ADD COLUMN lease_until BIGINT;
