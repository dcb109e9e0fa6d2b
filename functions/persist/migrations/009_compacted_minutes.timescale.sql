-- Minutes an edge adapter compacted during a long outage (scada.telemetry.compacted.validated):
-- one row per piece, the record of what the edge sent and the key that makes a redelivered
-- piece a no-op. A piece covers samples no other piece covers, so the pieces of a tag-minute
-- (two compaction passes, or part of the minute sent raw) add up.
CREATE TABLE telemetry_compacted (
  device_id        text NOT NULL,
  tag_id           text NOT NULL,
  first_ts         timestamptz NOT NULL,
  last_ts          timestamptz NOT NULL,
  bucket           timestamptz NOT NULL,
  count            integer NOT NULL,
  min              double precision NOT NULL,
  max              double precision NOT NULL,
  sum              double precision NOT NULL,
  last             double precision NOT NULL,
  worst_quality    smallint NOT NULL,
  status           text NOT NULL,
  unit             text,
  tenant_id        text NOT NULL,
  field_id         text,
  well_id          text,
  source_protocol  text NOT NULL,
  received_at      timestamptz NOT NULL,
  PRIMARY KEY (device_id, tag_id, first_ts)
);
CREATE INDEX telemetry_compacted_bucket ON telemetry_compacted (tenant_id, well_id, tag_id, bucket);

-- UNTESTED here (see 002). telemetry_1m and telemetry_1h are continuous aggregates over the
-- telemetry table: they cannot take these rows, so with TimescaleDB the compacted minutes
-- are read from this table alone.
