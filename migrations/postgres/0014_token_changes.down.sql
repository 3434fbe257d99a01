DROP TRIGGER api_tokens_revoked ON api_tokens;

CREATE OR REPLACE FUNCTION gantry_session_changed() RETURNS trigger AS $$
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
