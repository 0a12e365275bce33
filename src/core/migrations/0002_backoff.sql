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
