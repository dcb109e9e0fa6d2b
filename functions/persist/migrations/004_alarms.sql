-- Alarm history: every transition announced on scada.alarms, keyed by its event id
-- (a redelivered event is a no-op).
CREATE TABLE alarm_events (
  event_id    text PRIMARY KEY,
  alarm_id    text NOT NULL,
  tenant_id   text NOT NULL,
  ts          timestamptz NOT NULL,
  transition  text NOT NULL,
  state       text NOT NULL,
  severity    text NOT NULL,
  condition   text NOT NULL,
  device_id   text NOT NULL,
  tag_id      text NOT NULL,
  field_id    text,
  well_id     text,
  value       double precision NOT NULL,
  threshold   double precision NOT NULL,
  message     text NOT NULL,
  actor       text,
  comment     text,
  flood       boolean NOT NULL DEFAULT false
);
CREATE INDEX alarm_events_tenant_ts ON alarm_events (tenant_id, ts DESC);
CREATE INDEX alarm_events_alarm ON alarm_events (alarm_id, ts DESC);
