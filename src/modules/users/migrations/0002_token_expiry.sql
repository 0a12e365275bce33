-- API tokens expire (issue #10 finding 11). Tokens made before this get 90 days from now.
ALTER TABLE usr_api_token ADD COLUMN expires_at timestamptz;
UPDATE usr_api_token SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;
ALTER TABLE usr_api_token ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX usr_api_token_user ON usr_api_token (pemda_id, user_id);
