-- Configuration documents (assets, tag-rules, alarm-rules, channels, well-models) for
-- deployments that keep them in PostgreSQL (FLOWLINE_CONFIG_SOURCE=postgres).
CREATE TABLE IF NOT EXISTS flowline_config (
  kind        text PRIMARY KEY,
  document    jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
