-- Samples whose timestamp cannot be right (validate's clock-skew flag: a device clock far
-- ahead or behind, seconds stamped as milliseconds). They are kept, for the operator who
-- fixes the device, but out of the history, its partitions and the rollups. Plain table:
-- one row per arrival, trimmed by age of arrival.
CREATE TABLE telemetry_quarantine (
  device_id        text NOT NULL,
  tag_id           text NOT NULL,
  ts               timestamptz NOT NULL,
  value            double precision NOT NULL,
  quality          smallint NOT NULL,
  flags            text[] NOT NULL DEFAULT '{}',
  tenant_id        text NOT NULL,
  well_id          text,
  source_protocol  text NOT NULL,
  received_at      timestamptz NOT NULL,
  PRIMARY KEY (device_id, tag_id, ts)
);
CREATE INDEX telemetry_quarantine_received ON telemetry_quarantine (tenant_id, received_at DESC);
