-- Campaign updates (issue 12), kept apart from schema.sql so that it can become one migration of its own.
-- Plain SQL that SQLite and PostgreSQL both accept; times are epoch seconds (REAL) where code compares them.
-- update_consent and broadcast_deliveries hold user ids: they are in USER_TABLES (/forget, /mydata).
CREATE TABLE IF NOT EXISTS update_consent (
  user_id BIGINT PRIMARY KEY,
  lang TEXT NOT NULL,
  source TEXT NOT NULL,
  consent_version TEXT NOT NULL,
  agreed TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS broadcasts (
  id INTEGER PRIMARY KEY,
  created TEXT NOT NULL,
  created_by BIGINT,
  texts TEXT NOT NULL,
  buttons TEXT NOT NULL,
  button_url TEXT,
  audience TEXT NOT NULL,
  status TEXT NOT NULL,
  confirmed_by BIGINT,
  confirmed TEXT,
  started REAL,
  finished REAL,
  lease_owner TEXT,
  lease_until REAL,
  status_chat_id BIGINT,
  status_message_id BIGINT
);
CREATE TABLE IF NOT EXISTS broadcast_deliveries (
  id INTEGER PRIMARY KEY,
  broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
  user_id BIGINT NOT NULL,
  lang TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try REAL NOT NULL DEFAULT 0,
  error TEXT,
  updated REAL NOT NULL,
  UNIQUE (broadcast_id, user_id)
);
CREATE INDEX IF NOT EXISTS broadcast_deliveries_due ON broadcast_deliveries (broadcast_id, status, id);
