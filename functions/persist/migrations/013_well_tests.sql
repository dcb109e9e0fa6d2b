-- Well tests as they run: the well-test function writes them, the gateway reads them through
-- functions/well-test/test-store.ts. A test is created once per test id (a redelivered
-- well-testing.test-created is a no-op) and judged again as each chunk of its readings arrives.
CREATE TABLE well_tests (
  test_id                    text PRIMARY KEY,
  tenant_id                  text NOT NULL,
  field_id                   text,
  well_id                    text NOT NULL,
  device_id                  text NOT NULL,
  method                     text NOT NULL,
  created_at                 timestamptz NOT NULL,
  created_by                 text NOT NULL,
  planned_minutes            integer NOT NULL CHECK (planned_minutes > 0),
  max_minutes                integer NOT NULL CHECK (max_minutes >= planned_minutes),
  reservoir_pressure_psia    double precision NOT NULL,
  bubble_point_pressure_psia double precision NOT NULL,
  notes                      text,
  state                      text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'completed', 'inconclusive')),
  elapsed_minutes            double precision NOT NULL DEFAULT 0,
  readings                   integer NOT NULL DEFAULT 0,
  waiting_for                jsonb NOT NULL DEFAULT '[]',
  averages                   jsonb NOT NULL DEFAULT '{}',
  judged_at                  timestamptz,
  ended_at                   timestamptz,
  -- A completed test's well-testing.test-completed event, kept until the broker has it (an outbox).
  completion                 jsonb,
  published_at               timestamptz,
  CHECK ((state = 'running') = (ended_at IS NULL)),
  CHECK ((state = 'completed') = (completion IS NOT NULL))
);
CREATE INDEX well_tests_running ON well_tests (well_id) WHERE state = 'running';
CREATE INDEX well_tests_of_well ON well_tests (tenant_id, well_id, created_at DESC);
CREATE INDEX well_tests_outbox ON well_tests (ended_at) WHERE completion IS NOT NULL AND published_at IS NULL;

-- A test's readings, one per quantity and sample time: a redelivered sample is a no-op.
CREATE TABLE well_test_readings (
  test_id  text NOT NULL REFERENCES well_tests (test_id) ON DELETE CASCADE,
  quantity text NOT NULL CHECK (quantity IN ('oilRate', 'gasRate', 'waterRate', 'bottomholePressure', 'wellheadPressure')),
  ts       timestamptz NOT NULL,
  value    double precision NOT NULL,
  PRIMARY KEY (test_id, quantity, ts)
);
