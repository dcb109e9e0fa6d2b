-- The audit trail (system.audit-log): who did what to which resource, and how it ended.
CREATE TABLE audit_log (
  audit_id        text PRIMARY KEY,
  ts              timestamptz NOT NULL,
  source          text NOT NULL,
  actor_user      text NOT NULL,
  actor_role      text NOT NULL,
  action          text NOT NULL,
  resource        text NOT NULL,
  outcome         text NOT NULL,
  reason          text,
  correlation_id  text,
  details         jsonb
);
CREATE INDEX audit_log_ts ON audit_log (ts DESC);
