-- Alert delivery (docs/alerts.md): what the outbox needs beyond 001's columns, the key that
-- names targets without storing their secret URLs, and the feed-health state machine.

ALTER TABLE internal.alerts ADD COLUMN kind VARCHAR DEFAULT 'development';  -- 'development' | 'feed_health'
ALTER TABLE internal.alerts ADD COLUMN target_key VARCHAR;      -- HMAC of the secret URL, never the URL
ALTER TABLE internal.alerts ADD COLUMN storyline_id VARCHAR;
ALTER TABLE internal.alerts ADD COLUMN facts JSON;              -- what the message needs that no other table holds
ALTER TABLE internal.alerts ADD COLUMN claimed_at TIMESTAMPTZ;  -- a deliverer is sending it (a lease, see docs)
ALTER TABLE internal.alerts ADD COLUMN message_key VARCHAR;      -- the message it went out in; its Idempotency-Key
ALTER TABLE internal.alerts ADD COLUMN interrupted INTEGER DEFAULT 0;  -- abandoned claims: outcome unknown

-- One random key per database for target_key, made on first use.
CREATE TABLE internal.alert_key (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    hmac_key VARCHAR NOT NULL
);

-- Whether each feed is in a reported outage; `incident` numbers the outages so each gets its own alerts.
CREATE TABLE internal.feed_health (
    feed       VARCHAR PRIMARY KEY,
    failing    BOOLEAN NOT NULL,
    incident   INTEGER NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);

CREATE OR REPLACE VIEW alerts AS
SELECT alert_id, development_id, target, status, attempts, created_at, sent_at, last_error,
       next_attempt_at, kind, storyline_id, facts ->> 'feed' AS feed, message_key, interrupted
FROM internal.alerts;
