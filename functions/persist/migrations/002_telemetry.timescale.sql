-- Telemetry history as a TimescaleDB hypertable (1-day chunks), compressed after 7
-- days, kept for a year. UNTESTED here: the test machine has no TimescaleDB; the
-- native-partitioning variant is the one the tests run.
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE TABLE telemetry (
  device_id        text NOT NULL,
  tag_id           text NOT NULL,
  ts               timestamptz NOT NULL,
  value            double precision NOT NULL,
  quality          smallint NOT NULL,
  status           text NOT NULL,
  flags            text[] NOT NULL DEFAULT '{}',
  unit             text,
  tenant_id        text NOT NULL,
  field_id         text,
  well_id          text,
  source_protocol  text NOT NULL,
  received_at      timestamptz NOT NULL,
  PRIMARY KEY (device_id, tag_id, ts)
);
SELECT create_hypertable('telemetry', 'ts', chunk_time_interval => INTERVAL '1 day');
CREATE INDEX telemetry_tenant_well ON telemetry (tenant_id, well_id, tag_id, ts DESC);
ALTER TABLE telemetry SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id, tag_id');
SELECT add_compression_policy('telemetry', INTERVAL '7 days');
SELECT add_retention_policy('telemetry', INTERVAL '365 days');
