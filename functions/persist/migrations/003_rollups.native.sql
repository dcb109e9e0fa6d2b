-- Rollups of good and suspect samples per (device, tag) at 1 min, 5 min and 1 h,
-- maintained by persist in the same statement that inserts the raw rows (and only
-- from rows actually inserted, so a redelivered batch is not counted twice).
-- Same columns as the Timescale continuous aggregates, so one query serves both.
CREATE TABLE telemetry_1m (
  device_id text NOT NULL, tag_id text NOT NULL, bucket timestamptz NOT NULL,
  tenant_id text NOT NULL, well_id text,
  count bigint NOT NULL, sum double precision NOT NULL, min double precision NOT NULL, max double precision NOT NULL,
  PRIMARY KEY (device_id, tag_id, bucket)
);
CREATE TABLE telemetry_5m (LIKE telemetry_1m INCLUDING ALL);
CREATE TABLE telemetry_1h (LIKE telemetry_1m INCLUDING ALL);
