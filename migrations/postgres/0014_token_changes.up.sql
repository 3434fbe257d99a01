-- A revoked API token (or every token of an account, on a new password) is told on
-- `gantry_sessions` with its account's id, like a session that ends, so that every
-- instance forgets what it remembers of that account (API tokens are cached beside
-- sessions: server/src/accounts/session_cache.rs).
CREATE FUNCTION gantry_token_revoked() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('gantry_sessions', OLD.user_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER api_tokens_revoked
    AFTER DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION gantry_token_revoked();
