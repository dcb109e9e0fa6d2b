{{/*
Connection environment, the variables runtime/config.ts reads. Secrets are referenced
(secretKeyRef), never rendered. Values that need a password inside a URL get it through
a FLOWLINE_*_PASSWORD variable and Kubernetes' $(VAR) expansion.
*/}}

{{- define "flowline.env.kafka" -}}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required: the Kafka bootstrap servers, host:port[,host:port]" .Values.kafka.brokers | quote }}
{{- if .Values.kafka.tls.enabled }}
- name: KAFKA_SSL
  value: "true"
{{- if .Values.kafka.tls.caSecret.name }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/flowline/kafka-ca/ca.crt
{{- end }}
{{- if .Values.kafka.tls.clientCertSecret.name }}
- name: KAFKA_SSL_CERT_FILE
  value: /etc/flowline/kafka-client/tls.crt
- name: KAFKA_SSL_KEY_FILE
  value: /etc/flowline/kafka-client/tls.key
{{- end }}
{{- end }}
{{- if ne .Values.kafka.sasl.mechanism "none" }}
- name: KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.existingSecret is required when kafka.sasl.mechanism is not none" .Values.kafka.sasl.existingSecret }}
      key: {{ .Values.kafka.sasl.usernameKey }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.sasl.existingSecret }}
      key: {{ .Values.kafka.sasl.passwordKey }}
{{- end }}
{{- end }}

{{- define "flowline.env.redis" -}}
{{- $r := .Values.redis }}
{{- $host := required "redis.host is required: the Redis server Flowline keeps current values and alarms in" $r.host }}
{{- $scheme := ternary "rediss" "redis" $r.tls }}
{{- if $r.existingSecret }}
- name: FLOWLINE_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $r.existingSecret }}
      key: {{ $r.passwordKey }}
- name: REDIS_URL
  value: {{ printf "%s://:$(FLOWLINE_REDIS_PASSWORD)@%s:%d/%d" $scheme $host (int $r.port) (int $r.database) | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "%s://%s:%d/%d" $scheme $host (int $r.port) (int $r.database) | quote }}
{{- end }}
{{- end }}

{{- define "flowline.env.postgres" -}}
{{- $p := .Values.postgres }}
{{- $secret := required "postgres.existingSecret is required: the Secret with the PostgreSQL credentials" $p.existingSecret }}
{{- if $p.urlKey }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $p.urlKey }}
{{- else }}
- name: FLOWLINE_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $p.passwordKey }}
- name: DATABASE_URL
  value: {{ printf "postgres://%s:$(FLOWLINE_DATABASE_PASSWORD)@%s:%d/%s?sslmode=%s" $p.username (required "postgres.host is required unless postgres.urlKey names a key holding the whole URL" $p.host) (int $p.port) $p.database $p.sslMode | quote }}
{{- end }}
{{- end }}

{{/*
The Kafka TLS files, when there are any: the private CA, and the client certificate for a
broker that requires mutual TLS (each from its Secret, under a fixed name the env points to).
*/}}
{{- define "flowline.kafkaCaVolume" -}}
{{- $tls := .Values.kafka.tls }}
{{- if and $tls.enabled $tls.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ $tls.caSecret.name }}
    items:
      - key: {{ $tls.caSecret.key }}
        path: ca.crt
{{- end }}
{{- if and $tls.enabled $tls.clientCertSecret.name }}
- name: kafka-client
  secret:
    secretName: {{ $tls.clientCertSecret.name }}
    items:
      - key: {{ $tls.clientCertSecret.certKey }}
        path: tls.crt
      - key: {{ $tls.clientCertSecret.keyKey }}
        path: tls.key
{{- end }}
{{- end }}

{{- define "flowline.kafkaCaMount" -}}
{{- $tls := .Values.kafka.tls }}
{{- if and $tls.enabled $tls.caSecret.name }}
- name: kafka-ca
  mountPath: /etc/flowline/kafka-ca
  readOnly: true
{{- end }}
{{- if and $tls.enabled $tls.clientCertSecret.name }}
- name: kafka-client
  mountPath: /etc/flowline/kafka-client
  readOnly: true
{{- end }}
{{- end }}

{{/* Configuration documents (config/load.ts): from a ConfigMap mounted at /etc/flowline/config, or PostgreSQL. */}}
{{- define "flowline.configFromFiles" -}}
{{- if and (eq .Values.config.source "files") (or .Values.config.existingConfigMap .Values.config.files) }}true{{ end }}
{{- end }}

{{- define "flowline.configMapName" -}}
{{- .Values.config.existingConfigMap | default (printf "%s-config" (include "flowline.fullname" .)) }}
{{- end }}

{{- define "flowline.env.config" -}}
- name: FLOWLINE_CONFIG_SOURCE
  value: {{ .Values.config.source | quote }}
{{- if include "flowline.configFromFiles" . }}
- name: FLOWLINE_CONFIG_DIR
  value: /etc/flowline/config
{{- end }}
{{- end }}

{{- define "flowline.configVolume" -}}
{{- if include "flowline.configFromFiles" . }}
- name: config
  configMap:
    name: {{ include "flowline.configMapName" . }}
{{- end }}
{{- end }}

{{- define "flowline.configMount" -}}
{{- if include "flowline.configFromFiles" . }}
- name: config
  mountPath: /etc/flowline/config
  readOnly: true
{{- end }}
{{- end }}

{{/* Pods restart when the documents the chart renders change (the runtime reads them at start). */}}
{{- define "flowline.configChecksum" -}}
{{- if and (include "flowline.configFromFiles" .) (not .Values.config.existingConfigMap) }}
checksum/config: {{ toYaml .Values.config.files | sha256sum }}
{{- end }}
{{- end }}

{{/*
Every Secret the rendered objects reference (name, keys, which setting names it), as a YAML list:
NOTES.txt looks each up in the cluster, because a missing one is silent until Pods fail to
start and KEDA, which resolves a Deployment's environment, leaves its ScaledObject not Ready.
*/}}
{{- define "flowline.referencedSecrets" -}}
{{- $refs := list }}
{{- $k := .Values.kafka }}
{{- if ne $k.sasl.mechanism "none" }}
{{- $refs = append $refs (dict "name" $k.sasl.existingSecret "keys" (list $k.sasl.usernameKey $k.sasl.passwordKey) "for" "kafka.sasl") }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.caSecret.name }}
{{- $refs = append $refs (dict "name" $k.tls.caSecret.name "keys" (list $k.tls.caSecret.key) "for" "kafka.tls.caSecret") }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.clientCertSecret.name }}
{{- $refs = append $refs (dict "name" $k.tls.clientCertSecret.name "keys" (list $k.tls.clientCertSecret.certKey $k.tls.clientCertSecret.keyKey) "for" "kafka.tls.clientCertSecret") }}
{{- end }}
{{- if .Values.redis.existingSecret }}
{{- $refs = append $refs (dict "name" .Values.redis.existingSecret "keys" (list .Values.redis.passwordKey) "for" "redis") }}
{{- end }}
{{- $p := .Values.postgres }}
{{- $refs = append $refs (dict "name" $p.existingSecret "keys" (list ($p.urlKey | default $p.passwordKey)) "for" "postgres") }}
{{- if .Values.gateway.enabled }}
{{- $a := .Values.gateway.auth }}
{{- if $a.jwtSecret.existingSecret }}
{{- $refs = append $refs (dict "name" $a.jwtSecret.existingSecret "keys" (list $a.jwtSecret.key) "for" "gateway.auth.jwtSecret") }}
{{- end }}
{{- if $a.usersSecret.name }}
{{- $refs = append $refs (dict "name" $a.usersSecret.name "keys" (list $a.usersSecret.key) "for" "gateway.auth.usersSecret") }}
{{- end }}
{{- if $a.apiKeysSecret.name }}
{{- $refs = append $refs (dict "name" $a.apiKeysSecret.name "keys" (list $a.apiKeysSecret.key) "for" "gateway.auth.apiKeysSecret") }}
{{- end }}
{{- end }}
{{- if .Values.serviceAuth.enabled }}
{{- $names := list (include "flowline.serviceToken.secretName" (dict "root" . "which" "invoke")) }}
{{- if .Values.dapr.enabled }}
{{- $names = append $names (include "flowline.serviceToken.secretName" (dict "root" . "which" "daprApp")) }}
{{- $names = append $names (include "flowline.serviceToken.secretName" (dict "root" . "which" "daprApi")) }}
{{- end }}
{{- range $name := $names | uniq }}
{{- $refs = append $refs (dict "name" $name "keys" (list "token") "for" "serviceAuth") }}
{{- end }}
{{- end }}
{{- dict "secrets" $refs | toYaml }}
{{- end }}

{{/*
V8's heap, sized from the container's memory limit. Node sizes it from the cgroup limit as
if the limit were a machine's memory: in a 256Mi pod the heap may grow to about the whole
limit before V8 collects in earnest, so the kernel kills the pod first; and the young
generation is left so small that scavenges cost a large share of the CPU. An explicit old
space (a share of the limit) and semi-space avoid both. A NODE_OPTIONS in the env values
(the chart's or the function's) replaces this one.
Takes: limit (a Kubernetes quantity), heap (values: enabled, oldSpacePercent, semiSpaceMb), env (maps).
*/}}
{{- define "flowline.env.nodeHeap" -}}
{{- $own := false -}}
{{- range .env }}{{ if hasKey (. | default dict) "NODE_OPTIONS" }}{{ $own = true }}{{ end }}{{ end -}}
{{- if and .heap.enabled (not $own) -}}
{{- $q := toString .limit -}}
{{- $mi := 0.0 -}}
{{- if hasSuffix "Ti" $q }}{{ $mi = mulf (trimSuffix "Ti" $q | float64) 1048576 }}
{{- else if hasSuffix "Gi" $q }}{{ $mi = mulf (trimSuffix "Gi" $q | float64) 1024 }}
{{- else if hasSuffix "Mi" $q }}{{ $mi = trimSuffix "Mi" $q | float64 }}
{{- else if hasSuffix "Ki" $q }}{{ $mi = divf (trimSuffix "Ki" $q | float64) 1024 }}
{{- else if hasSuffix "m" $q }}{{ $mi = divf (trimSuffix "m" $q | float64) 1048576000 }}
{{- else }}{{ $mi = divf ($q | float64) 1048576 }}
{{- end -}}
{{- $old := divf (mulf $mi .heap.oldSpacePercent) 100 | floor | int -}}
{{- if lt $old 32 }}{{ fail (printf "a memory limit of %s leaves V8 %d MiB of old space (heap.oldSpacePercent %v): give the container at least 64Mi, or set NODE_OPTIONS yourself" $q $old .heap.oldSpacePercent) }}{{ end -}}
- name: NODE_OPTIONS
  value: {{ printf "--max-old-space-size=%d --max-semi-space-size=%v" $old .heap.semiSpaceMb | quote }}
{{- end -}}
{{- end }}
