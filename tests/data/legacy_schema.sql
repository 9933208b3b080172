-- The schema before migrations (bot/storage/schema.sql, run with CREATE TABLE IF NOT EXISTS): the upgrade test starts here.
CREATE TABLE IF NOT EXISTS users (
  user_id INTEGER PRIMARY KEY,
  lang TEXT,
  updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS flow_state (
  user_id INTEGER PRIMARY KEY,
  flow TEXT NOT NULL,
  step TEXT NOT NULL,
  answers TEXT NOT NULL,
  history TEXT NOT NULL,
  updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS progress (
  user_id INTEGER NOT NULL,
  item TEXT NOT NULL,
  done_at TEXT NOT NULL,
  PRIMARY KEY (user_id, item)
);
CREATE TABLE IF NOT EXISTS signups (
  ref TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL UNIQUE,
  country TEXT NOT NULL,
  platforms TEXT NOT NULL,
  eligibility TEXT NOT NULL,
  contact_ok INTEGER NOT NULL,
  consent_version TEXT NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL,
  chat_id INTEGER NOT NULL,
  lang TEXT NOT NULL,
  topic TEXT NOT NULL,
  show_name INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  opened TEXT NOT NULL,
  closed TEXT
);
CREATE TABLE IF NOT EXISTS ticket_messages (
  staff_chat_id INTEGER NOT NULL,
  staff_message_id INTEGER NOT NULL,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL,
  PRIMARY KEY (staff_chat_id, staff_message_id)
);
CREATE TABLE IF NOT EXISTS counters (
  day TEXT NOT NULL,
  metric TEXT NOT NULL,
  key TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, metric, key)
);
CREATE TABLE IF NOT EXISTS faq_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slug TEXT NOT NULL UNIQUE,
  entry TEXT NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unanswered (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  day TEXT NOT NULL,
  lang TEXT NOT NULL,
  reason TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answer_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created TEXT NOT NULL,
  lang TEXT NOT NULL,
  topic TEXT NOT NULL,
  question TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  created TEXT NOT NULL
);
