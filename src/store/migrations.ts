/** Numbered schema changes: migration N is entry N-1. Never edit one that has shipped; add the next. */
export const migrations: readonly string[] = [
  `
  -- what each container should be doing, keyed so that a recreated container keeps its record
  CREATE TABLE desired_state (
    key          TEXT PRIMARY KEY,
    container_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    desired      TEXT NOT NULL CHECK (desired IN ('running', 'stopped')),
    source       TEXT NOT NULL CHECK (source IN ('event', 'label', 'api', 'boot')),
    reason       TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
  );
  -- the medic's schedule per container: survives a restart of vigil mid-backoff
  CREATE TABLE recovery_state (
    key            TEXT PRIMARY KEY,
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        INTEGER NOT NULL DEFAULT 0,
    last_action_at INTEGER,
    gave_up_at     INTEGER,
    last_problem   TEXT
  );
  -- transitions, intents and actions, for the history API and the daily health score
  CREATE TABLE history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    key          TEXT NOT NULL,
    container_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('status', 'intent', 'action')),
    data         TEXT NOT NULL
  );
  CREATE INDEX history_key_at ON history (key, at);
  CREATE INDEX history_at ON history (at);
  `,
  `
  -- every notification is written here before it is sent, one row per channel, until delivered or expired
  CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel      TEXT NOT NULL,
    dedupe_key   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    next_at      INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'expired')),
    last_error   TEXT,
    sent_at      INTEGER
  );
  CREATE INDEX outbox_due ON outbox (status, next_at);
  CREATE INDEX outbox_dedupe ON outbox (channel, dedupe_key, created_at);
  `,
  `
  -- every alert Alertmanager posted, one row per (fingerprint, startsAt): the incident, firing then resolved
  CREATE TABLE alerts (
    fingerprint     TEXT NOT NULL,
    starts_at       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    alertname       TEXT NOT NULL,
    severity        TEXT NOT NULL,
    labels          TEXT NOT NULL,
    annotations     TEXT NOT NULL,
    ends_at         TEXT,
    generator_url   TEXT,
    container_name  TEXT,
    received_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at INTEGER,
    silence_id      TEXT,
    PRIMARY KEY (fingerprint, starts_at)
  );
  CREATE INDEX alerts_status ON alerts (status);
  `,
  `
  -- when the last container of a key left the engine: its rows are pruned after the history retention
  ALTER TABLE desired_state ADD COLUMN gone_at INTEGER;
  -- why a firing alert was closed without a resolve from Alertmanager ('expired')
  ALTER TABLE alerts ADD COLUMN closed_reason TEXT;
  CREATE INDEX alerts_status_severity ON alerts (status, severity);
  CREATE INDEX alerts_updated ON alerts (status, updated_at);
  `,
  `
  -- incidents, open and closed: an outage keeps its id, and so its mail thread, across a restart of vigil
  CREATE TABLE incidents (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    body      TEXT NOT NULL -- the whole incident as JSON: its timeline is only ever read whole
  );
  CREATE INDEX incidents_closed ON incidents (closed_at);
  -- the chat message each incident's thread hangs from, per channel (Slack's ts)
  CREATE TABLE chat_threads (
    channel     TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    thread      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (channel, incident_id)
  );
  `,
  `
  -- signed-out session cookies (a hash of each), refused until they would have expired
  CREATE TABLE revoked_sessions (
    id         TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  );
  `,
  `
  -- desired state, backoff and history belong to a container's id, not its name (a rename keeps them, a
  -- new container under an old name inherits nothing): rows kept by name move to the id that earned them
  UPDATE OR REPLACE recovery_state
    SET key = (SELECT 'id:' || d.container_id FROM desired_state d WHERE d.key = recovery_state.key)
    WHERE key LIKE 'name:%' AND key IN (SELECT key FROM desired_state);
  DELETE FROM recovery_state WHERE key LIKE 'name:%';
  UPDATE OR REPLACE desired_state SET key = 'id:' || container_id WHERE key LIKE 'name:%';
  UPDATE history SET key = 'id:' || container_id WHERE key LIKE 'name:%';
  -- the time of the last engine event vigil handled: where it resumes the engine's events after a restart
  CREATE TABLE engine_cursor (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    time_nano TEXT NOT NULL
  );
  `,
  `
  -- containers labelled vigil.cleanup=true that vigil gave up on and removed: what was left of them
  CREATE TABLE removed_containers (
    key          TEXT NOT NULL,
    container_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    removed_at   INTEGER NOT NULL,
    exit_code    INTEGER,
    logs         TEXT NOT NULL, -- the last 200 lines as JSON: [{timestamp, stream, message}]
    inspect      TEXT NOT NULL  -- the container as vigil last saw it, as JSON
  );
  CREATE INDEX removed_containers_name ON removed_containers (name, removed_at);
  CREATE INDEX removed_containers_at ON removed_containers (removed_at);
  `,
  `
  -- resource history, downsampled in tiers: 0 each sweep (kept an hour), 1 a minute (a day), 2 ten
  -- minutes (a week); key is a container's key or 'host'; a tier 1 or 2 row is the mean of its samples
  CREATE TABLE resource_series (
    tier            INTEGER NOT NULL,
    key             TEXT NOT NULL,
    at              INTEGER NOT NULL,
    samples         INTEGER NOT NULL,
    cpu_cores       REAL NOT NULL,
    memory_bytes    REAL NOT NULL,
    memory_limit    INTEGER,
    rx_per_second   REAL NOT NULL,
    tx_per_second   REAL NOT NULL,
    read_per_second REAL NOT NULL,
    write_per_second REAL NOT NULL,
    PRIMARY KEY (tier, key, at)
  );
  CREATE INDEX resource_series_at ON resource_series (tier, at);
  -- the latest events, so that the page's live feed is filled after a restart of vigil too
  CREATE TABLE recent_events (
    id   INTEGER PRIMARY KEY,
    at   INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  -- settings made on the page (alert thresholds per container, channels): deleting a row gives the
  -- value back to the labels and the file
  CREATE TABLE page_settings (
    scope      TEXT NOT NULL,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, name)
  );
  `,
];
