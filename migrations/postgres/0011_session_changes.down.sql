DROP TRIGGER sessions_ended ON sessions;
DROP TRIGGER users_session_changes ON users;
DROP FUNCTION gantry_session_changed();
