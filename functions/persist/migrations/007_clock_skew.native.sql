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

-- Partition maintenance that a row in the default partition cannot block: PostgreSQL
-- refuses to create a day's partition while the default one holds rows of that day, so
-- those rows move into the new partition in the same transaction (created detached,
-- filled, then attached).
CREATE OR REPLACE FUNCTION flowline_ensure_telemetry_partitions(from_day date, days integer) RETURNS integer
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
      EXECUTE format('CREATE TABLE %I (LIKE telemetry INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
      EXECUTE format(
        'WITH moved AS (DELETE FROM telemetry_default WHERE ts >= %L AND ts < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
        day::timestamptz, (day + 1)::timestamptz, name);
      EXECUTE format('ALTER TABLE telemetry ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, day::timestamptz, (day + 1)::timestamptz);
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;
