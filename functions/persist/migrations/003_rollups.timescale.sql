-- flowline:no-transaction (continuous aggregates cannot be created inside a transaction)
-- Continuous aggregates at 1 min, 5 min and 1 h (UNTESTED here, see 002).
CREATE MATERIALIZED VIEW telemetry_1m WITH (timescaledb.continuous) AS
  SELECT device_id, tag_id, time_bucket('1 minute', ts) AS bucket, tenant_id, well_id,
         count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max
  FROM telemetry WHERE status <> 'bad' GROUP BY device_id, tag_id, bucket, tenant_id, well_id WITH NO DATA;
CREATE MATERIALIZED VIEW telemetry_5m WITH (timescaledb.continuous) AS
  SELECT device_id, tag_id, time_bucket('5 minutes', ts) AS bucket, tenant_id, well_id,
         count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max
  FROM telemetry WHERE status <> 'bad' GROUP BY device_id, tag_id, bucket, tenant_id, well_id WITH NO DATA;
CREATE MATERIALIZED VIEW telemetry_1h WITH (timescaledb.continuous) AS
  SELECT device_id, tag_id, time_bucket('1 hour', ts) AS bucket, tenant_id, well_id,
         count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max
  FROM telemetry WHERE status <> 'bad' GROUP BY device_id, tag_id, bucket, tenant_id, well_id WITH NO DATA;
SELECT add_continuous_aggregate_policy('telemetry_1m', start_offset => INTERVAL '1 day', end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute');
SELECT add_continuous_aggregate_policy('telemetry_5m', start_offset => INTERVAL '2 days', end_offset => INTERVAL '5 minutes', schedule_interval => INTERVAL '5 minutes');
SELECT add_continuous_aggregate_policy('telemetry_1h', start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour');
