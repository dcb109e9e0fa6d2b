-- Telemetry history, natively range-partitioned by day. The natural key (device, tag,
-- time) is the primary key, so a redelivered sample is a no-op, never a duplicate.
-- Rows whose day has no partition (late replays, clock skew) land in the default one.
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
) PARTITION BY RANGE (ts);

CREATE TABLE telemetry_default PARTITION OF telemetry DEFAULT;
CREATE INDEX telemetry_tenant_well ON telemetry (tenant_id, well_id, tag_id, ts DESC);

-- Creates the daily partitions from `from_day` for `days` days; existing ones are kept.
CREATE FUNCTION flowline_ensure_telemetry_partitions(from_day date, days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  created integer := 0;
  day date;
  name text;
BEGIN
  FOR i IN 0 .. days - 1 LOOP
    day := from_day + i;
    name := 'telemetry_p' || to_char(day, 'YYYYMMDD');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF telemetry FOR VALUES FROM (%L) TO (%L)', name, day::timestamptz, (day + 1)::timestamptz);
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

-- Drops daily partitions entirely older than `keep_days` (retention).
CREATE FUNCTION flowline_drop_telemetry_partitions(keep_days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  dropped integer := 0;
  part record;
BEGIN
  FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'telemetry'::regclass AND c.relname ~ '^telemetry_p[0-9]{8}$' LOOP
    IF to_date(substr(part.relname, 12), 'YYYYMMDD') < current_date - keep_days THEN
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  RETURN dropped;
END $$;

SELECT flowline_ensure_telemetry_partitions(current_date - 1, 9);
