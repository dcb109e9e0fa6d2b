-- Daily production (the daily-production function's tables; functions/daily-production/production-store.ts
-- writes and reads them, the gateway reads the reports through it).

-- The meter readings a report is computed from: only the tags the production-accounting document
-- names, keyed like telemetry. A reading sent again with another value is a correction: the value
-- is replaced, counted in `corrections`, and its day recomputed into a new version of the report.
CREATE TABLE production_readings (
  device_id    text NOT NULL,
  tag_id       text NOT NULL,
  ts           timestamptz NOT NULL,
  tenant_id    text NOT NULL,
  field_id     text NOT NULL,
  asset_id     text NOT NULL,  -- the well, or the field for its own (fiscal) meters
  value        double precision NOT NULL,
  event_id     text NOT NULL,
  corrections  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, tag_id, ts)
);
-- A day is read asset by asset; old readings are pruned field by field.
CREATE INDEX production_readings_asset ON production_readings (asset_id, ts);
CREATE INDEX production_readings_field ON production_readings (field_id, ts);

-- The rates of each well test, for the theoretical volumes the fiscal volume is allocated by.
CREATE TABLE production_well_tests (
  test_id     text PRIMARY KEY,
  tenant_id   text NOT NULL,
  well_id     text NOT NULL,
  ended_at    timestamptz NOT NULL,
  oil_rate    double precision,  -- stb/d
  gas_rate    double precision,  -- Mscf/d
  water_rate  double precision   -- bbl/d
);
CREATE INDEX production_well_tests_well ON production_well_tests (well_id, ended_at);

-- Production days whose inputs changed since their last report, or that have none yet: each is
-- recomputed once it has ended (plus the document's closeAfterMinutes). `marked_at` tells a day
-- marked again while it was being computed from one that was not.
CREATE TABLE production_days_pending (
  field_id   text NOT NULL,
  day        date NOT NULL,
  tenant_id  text NOT NULL,
  ends_at    timestamptz NOT NULL,
  marked_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (field_id, day)
);
CREATE INDEX production_days_pending_due ON production_days_pending (ends_at);

-- Every version of every report. A revision is a new row: a stored version is never rewritten
-- (the trigger refuses it), only marked published once the broker has it (the outbox).
CREATE TABLE daily_production_reports (
  field_id      text NOT NULL,
  day           date NOT NULL,
  version       integer NOT NULL CHECK (version >= 1),
  tenant_id     text NOT NULL,
  computed_at   timestamptz NOT NULL,
  report        jsonb NOT NULL,
  published_at  timestamptz,
  PRIMARY KEY (field_id, day, version)
);
CREATE INDEX daily_production_reports_tenant_day ON daily_production_reports (tenant_id, day);
CREATE INDEX daily_production_reports_unpublished ON daily_production_reports (computed_at) WHERE published_at IS NULL;

CREATE FUNCTION daily_production_reports_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.report IS DISTINCT FROM OLD.report OR NEW.version <> OLD.version OR NEW.day <> OLD.day OR NEW.field_id <> OLD.field_id THEN
    RAISE EXCEPTION 'version % of the % report of % is kept as computed: store a new version instead', OLD.version, OLD.day, OLD.field_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER daily_production_reports_keep BEFORE UPDATE ON daily_production_reports
  FOR EACH ROW EXECUTE FUNCTION daily_production_reports_keep();
