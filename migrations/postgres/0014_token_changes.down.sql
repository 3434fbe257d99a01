DROP TRIGGER api_tokens_revoked ON api_tokens;
DROP FUNCTION gantry_token_revoked();
