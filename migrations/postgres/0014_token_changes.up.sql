-- A revoked API token (or every token of an account, on a new password) is told on
-- `gantry_sessions` with its account's id, like a session that ends, so that every
-- instance forgets what it remembers of that account (API tokens are cached beside
-- sessions: server/src/accounts/session_cache.rs).
CREATE OR REPLACE FUNCTION gantry_session_changed() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME IN ('sessions', 'api_tokens') THEN
        PERFORM pg_notify('gantry_sessions', OLD.user_id);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('gantry_sessions', OLD.id);
    ELSE
        PERFORM pg_notify('gantry_sessions', NEW.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER api_tokens_revoked
    AFTER DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION gantry_session_changed();
