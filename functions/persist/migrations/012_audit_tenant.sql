-- The audit trail read per tenant (the gateway's GET /v1/audit): every gateway fact carries its
-- tenant in details.tenantId; a column of its own, kept by PostgreSQL, lets an index serve a
-- supervisor's newest-first page without reading other tenants' rows. Facts without a tenant
-- (NULL) are shown to administrators only.
ALTER TABLE audit_log ADD COLUMN tenant_id text GENERATED ALWAYS AS (details->>'tenantId') STORED;
CREATE INDEX audit_log_tenant_ts ON audit_log (tenant_id, ts DESC);
