-- Stepwise's records in D1 (wasm/worker/d1store.go). Records are JSON
-- blobs keyed by ARN; the columns beside them are what the listings
-- filter and order by. Times are Unix microseconds (exact as JavaScript
-- numbers).

CREATE TABLE machines (arn TEXT PRIMARY KEY, rec TEXT NOT NULL);

-- rowid (kept by upserts) is the creation order that breaks start-time ties.
CREATE TABLE executions (
  arn TEXT PRIMARY KEY,
  machine TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  status TEXT NOT NULL,
  rec TEXT NOT NULL
);
CREATE INDEX executions_by_machine ON executions (machine, start_us DESC);

-- event is the GetExecutionHistory JSON; at the timestamp in Unix
-- nanoseconds as text (the JSON keeps milliseconds only).
CREATE TABLE events (
  execution TEXT NOT NULL,
  id INTEGER NOT NULL,
  at TEXT NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (execution, id)
) WITHOUT ROWID;

CREATE TABLE activities (arn TEXT PRIMARY KEY, rec TEXT NOT NULL);

CREATE TABLE versions (
  arn TEXT PRIMARY KEY,
  machine TEXT NOT NULL,
  number INTEGER NOT NULL,
  rec TEXT NOT NULL
);
CREATE INDEX versions_by_machine ON versions (machine, number DESC);

CREATE TABLE aliases (arn TEXT PRIMARY KEY, machine TEXT NOT NULL, rec TEXT NOT NULL);
CREATE INDEX aliases_by_machine ON aliases (machine, arn);

CREATE TABLE map_runs (
  arn TEXT PRIMARY KEY,
  execution TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  rec TEXT NOT NULL
);
CREATE INDEX map_runs_by_execution ON map_runs (execution, start_us DESC);

-- The executions that have not ended (store.Durable): their next timer
-- (0: none) and their journal, appended in chunks (rowid order).
CREATE TABLE running (arn TEXT PRIMARY KEY, wake_us INTEGER NOT NULL);
CREATE INDEX running_by_wake ON running (wake_us);
CREATE TABLE journal (execution TEXT NOT NULL, chunk TEXT NOT NULL);
CREATE INDEX journal_by_execution ON journal (execution);

-- Every task token handed out, to the execution that handed it out.
CREATE TABLE tokens (token TEXT PRIMARY KEY, execution TEXT NOT NULL);
