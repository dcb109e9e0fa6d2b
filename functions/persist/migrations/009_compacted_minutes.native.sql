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

-- The pieces also feed the rollups, which say so: a bucket marked compacted holds samples
-- nobody stored raw, of every quality (worst_quality tells whether any was bad), where an
-- unmarked bucket summarises the good and suspect raw rows of the telemetry table.
ALTER TABLE telemetry_1m ADD COLUMN compacted boolean NOT NULL DEFAULT false, ADD COLUMN worst_quality smallint;
ALTER TABLE telemetry_1h ADD COLUMN compacted boolean NOT NULL DEFAULT false, ADD COLUMN worst_quality smallint;
