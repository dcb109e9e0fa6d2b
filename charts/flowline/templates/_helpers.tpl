{{/* Names, labels and images shared by every template. */}}

{{- define "flowline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "flowline.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels every object carries besides its selector labels. */}}
{{- define "flowline.metaLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: flowline
{{- end }}

{{/* Labels of an object that belongs to no one component. */}}
{{- define "flowline.labels" -}}
{{ include "flowline.metaLabels" . }}
app.kubernetes.io/name: {{ include "flowline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "gateway"). */}}
{{- define "flowline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flowline.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector labels of one function: (dict "root" $ "fn" $fn). */}}
{{- define "flowline.functionSelectorLabels" -}}
{{ include "flowline.selectorLabels" (dict "root" .root "component" "function") }}
flowline/function: {{ .fn.name }}
{{- end }}

{{/* An image reference: (dict "root" $ "repository" "flowline-gateway"). */}}
{{- define "flowline.image" -}}
{{- $registry := .root.Values.image.registry | trimSuffix "/" }}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- if $registry }}{{ printf "%s/%s:%s" $registry .repository $tag }}{{ else }}{{ printf "%s:%s" .repository $tag }}{{ end }}
{{- end }}

{{- define "flowline.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create }}{{ printf "%s-%s" (include "flowline.fullname" .root) .component }}{{ else }}default{{ end }}
{{- end }}

{{/* Names of the Dapr objects. */}}
{{- define "flowline.daprConfigName" -}}{{ include "flowline.fullname" . }}{{- end }}
{{- define "flowline.stateStoreName" -}}{{ printf "%s-statestore" (include "flowline.fullname" .) }}{{- end }}
{{/* Dapr's pubsub.kafka sets initialOffset per component, so each start policy gets its own: (dict "root" $ "policy" "latest"). */}}
{{- define "flowline.pubsubName" -}}
{{- if eq .policy "earliest" }}{{ printf "%s-pubsub-from-earliest" (include "flowline.fullname" .root) }}{{ else }}{{ printf "%s-pubsub" (include "flowline.fullname" .root) }}{{ end }}
{{- end }}

{{/* The Secret and TriggerAuthentication KEDA uses to reach a secured Kafka. */}}
{{- define "flowline.kedaAuthName" -}}{{ printf "%s-kafka" (include "flowline.fullname" .) }}{{- end }}

{{- define "flowline.kafkaAuthenticated" -}}
{{- $tls := .Values.kafka.tls }}
{{- if or (ne .Values.kafka.sasl.mechanism "none") (and $tls.enabled (or $tls.caSecret.name $tls.clientCertSecret.name)) }}true{{ end }}
{{- end }}

{{/* The security context every container runs with. */}}
{{- define "flowline.containerSecurityContext" -}}
{{- toYaml .Values.securityContext }}
{{- end }}

{{/* Probes on /healthz (alive) and /readyz (dependencies answer), as every Flowline process serves them. */}}
{{- define "flowline.probes" -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: http }
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end }}

{{/* Spread replicas over nodes when the scheduler can, never block on it. */}}
{{- define "flowline.topologySpread" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- .selector | nindent 8 }}
{{- end }}

{{- define "flowline.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end }}

{{/* name → value map as an env list. */}}
{{- define "flowline.envMap" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
