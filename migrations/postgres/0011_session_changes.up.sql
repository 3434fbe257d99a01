-- Every change that can end a session or change whose it is (an account's role,
-- state, password or name; a deleted account or session) is told on the channel
-- `gantry_sessions` with the account's id when its transaction commits, so that
-- every instance forgets what it remembers of that account's sessions
-- (server/src/accounts/session_cache.rs). SQLite has no such channel: there one
-- instance serves a database, and other processes' changes wait for the cache's
-- freshness bound.
CREATE FUNCTION gantry_session_changed() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'sessions' THEN
        PERFORM pg_notify('gantry_sessions', OLD.user_id);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('gantry_sessions', OLD.id);
    ELSE
        PERFORM pg_notify('gantry_sessions', NEW.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER users_session_changes
    AFTER UPDATE OF role, disabled, password_hash, display_name OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION gantry_session_changed();

CREATE TRIGGER sessions_ended
    AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION gantry_session_changed();
