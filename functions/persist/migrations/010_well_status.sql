-- Well status changes as announced on production.well-status-changed, keyed by event id
-- (a redelivered event is a no-op). A well is in `status` from `since` until its next change.
CREATE TABLE well_status_changes (
  event_id         text PRIMARY KEY,
  tenant_id        text NOT NULL,
  field_id         text,
  well_id          text NOT NULL,
  status           text NOT NULL CHECK (status IN ('producing', 'shut-in', 'down', 'testing', 'drilling')),
  reason           text CHECK (reason IN ('esp-trip', 'ssv-closed', 'no-flow')),
  previous_status  text,
  previous_reason  text,
  since            timestamptz NOT NULL,
  confirmed_at     timestamptz NOT NULL,
  profile          text NOT NULL,
  tag_values       jsonb NOT NULL,
  CHECK ((status = 'down') = (reason IS NOT NULL))
);
CREATE INDEX well_status_changes_well ON well_status_changes (tenant_id, well_id, since);

-- Each status as an interval: from its change to the well's next one; the latest is open
-- (ends_at NULL: it lasts until now). The hours per status and day are cut from these.
CREATE VIEW well_status_intervals AS
SELECT tenant_id, field_id, well_id, status, reason, since AS starts_at,
       lead(since) OVER (PARTITION BY tenant_id, well_id ORDER BY since, confirmed_at, event_id) AS ends_at
FROM well_status_changes;
