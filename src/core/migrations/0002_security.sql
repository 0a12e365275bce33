-- Security: log-in back-off and per-Pemda secrets (issue #10).
-- Exponential back-off after failures (log-in per account and address): a row per key with its
-- consecutive failures and the time before which the next attempt is refused. Success deletes it.
CREATE TABLE core_backoff (
  pemda_id      integer NOT NULL,
  key           text NOT NULL,
  failures      integer NOT NULL,
  last_at       timestamptz NOT NULL,
  blocked_until timestamptz NOT NULL,
  PRIMARY KEY (pemda_id, key)
);

-- Per-Pemda secrets generated on first use (e.g. the HMAC key of the public forms' challenges).
CREATE TABLE core_secret (
  pemda_id   integer NOT NULL,
  name       text NOT NULL,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pemda_id, name)
);
