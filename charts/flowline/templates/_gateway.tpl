{{/*
The gateway's own settings (gateway/settings.ts) from gateway.auth and friends. Secrets
are referenced: the HS256 secret through secretKeyRef, the users and API keys files
mounted from Secrets. Invocation reaches each function's Service, named after the
function, on functions.port (function-services.yaml).
*/}}

{{- define "flowline.gateway.authDir" -}}/etc/flowline/gateway-auth{{- end }}

{{- define "flowline.env.gateway" -}}
{{- $g := .Values.gateway }}
{{- $a := $g.auth }}
- name: GATEWAY_FUNCTION_URL
  value: {{ printf "http://{name}:%d/invoke" (int .Values.functions.port) | quote }}
- name: GATEWAY_KAFKA_GROUP
  value: {{ printf "%s-gateway" (include "flowline.fullname" .) | quote }}
{{- with $a.jwksUrl }}
- name: GATEWAY_JWKS_URL
  value: {{ . | quote }}
{{- end }}
{{- with $a.issuer }}
- name: GATEWAY_JWT_ISSUER
  value: {{ . | quote }}
{{- end }}
{{- with $a.audience }}
- name: GATEWAY_JWT_AUDIENCE
  value: {{ . | quote }}
{{- end }}
- name: GATEWAY_JWT_ROLE_CLAIM
  value: {{ $a.claims.role | quote }}
- name: GATEWAY_JWT_TENANT_CLAIM
  value: {{ $a.claims.tenant | quote }}
- name: GATEWAY_JWT_NAME_CLAIM
  value: {{ $a.claims.name | quote }}
- name: GATEWAY_TOKEN_TTL_SECONDS
  value: {{ $a.tokenTtlSeconds | quote }}
{{- if $a.jwtSecret.existingSecret }}
- name: GATEWAY_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $a.jwtSecret.existingSecret }}
      key: {{ $a.jwtSecret.key }}
{{- end }}
{{- if $a.usersSecret.name }}
{{- if not $a.jwtSecret.existingSecret }}
{{- fail "gateway.auth.usersSecret needs gateway.auth.jwtSecret.existingSecret: the gateway signs the tokens of the users it signs in (HS256)" }}
{{- end }}
- name: GATEWAY_USERS_FILE
  value: {{ printf "%s/users/users.yaml" (include "flowline.gateway.authDir" .) | quote }}
{{- end }}
{{- if $a.apiKeysSecret.name }}
- name: GATEWAY_API_KEYS_FILE
  value: {{ printf "%s/api-keys/api-keys.yaml" (include "flowline.gateway.authDir" .) | quote }}
{{- end }}
{{- with $g.edgeAdapters }}
- name: GATEWAY_EDGE_ADAPTERS
  value: {{ include "flowline.gateway.edgeAdapters" $g | quote }}
{{- end }}
{{- with $g.prometheusUrl }}
- name: GATEWAY_PROMETHEUS_URL
  value: {{ . | quote }}
{{- end }}
{{- with $g.corsOrigins }}
- name: GATEWAY_CORS_ORIGINS
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}

{{/* `tenant/site=url,…`, the form GATEWAY_EDGE_ADAPTERS takes. */}}
{{- define "flowline.gateway.edgeAdapters" -}}
{{- $entries := list }}
{{- range .edgeAdapters }}
{{- $entries = append $entries (printf "%s/%s=%s" .tenant .site .url) }}
{{- end }}
{{- join "," $entries }}
{{- end }}

{{/* The users and API keys files, each from its Secret: volumes and mounts. */}}
{{- define "flowline.gateway.authVolumes" -}}
{{- $a := .Values.gateway.auth }}
{{- if $a.usersSecret.name }}
- name: gateway-users
  secret:
    secretName: {{ $a.usersSecret.name }}
    items:
      - key: {{ $a.usersSecret.key }}
        path: users.yaml
{{- end }}
{{- if $a.apiKeysSecret.name }}
- name: gateway-api-keys
  secret:
    secretName: {{ $a.apiKeysSecret.name }}
    items:
      - key: {{ $a.apiKeysSecret.key }}
        path: api-keys.yaml
{{- end }}
{{- end }}

{{- define "flowline.gateway.authMounts" -}}
{{- $a := .Values.gateway.auth }}
{{- if $a.usersSecret.name }}
- name: gateway-users
  mountPath: {{ printf "%s/users" (include "flowline.gateway.authDir" .) }}
  readOnly: true
{{- end }}
{{- if $a.apiKeysSecret.name }}
- name: gateway-api-keys
  mountPath: {{ printf "%s/api-keys" (include "flowline.gateway.authDir" .) }}
  readOnly: true
{{- end }}
{{- end }}
