-- Calculation results (IPR, nodal, MSE, ESP, gas lift) as announced by calc.
CREATE TABLE calculations (
  event_id   text PRIMARY KEY,
  topic      text NOT NULL,
  kind       text,
  tenant_id  text NOT NULL,
  well_id    text NOT NULL,
  ts         timestamptz NOT NULL,
  result     jsonb NOT NULL
);
CREATE INDEX calculations_well ON calculations (tenant_id, well_id, topic, ts DESC);
