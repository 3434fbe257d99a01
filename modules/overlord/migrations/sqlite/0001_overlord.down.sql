DROP TABLE overlord_memory;
DROP TABLE overlord_task_events;
DROP TABLE overlord_tasks;
DROP TABLE overlord_projects;
DROP TABLE overlord_state;
