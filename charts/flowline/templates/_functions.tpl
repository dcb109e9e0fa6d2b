{{/*
The functions this release deploys: generated/functions.yaml (derived from every
functions/<name>/function.yaml by keda/generate.ts) merged with functions.overrides,
each with the replica bounds of its ScaledObject. Use:
  {{- $functions := (include "flowline.functions" . | fromYaml).functions }}
*/}}
{{- define "flowline.functions" -}}
{{- $generated := .Files.Get "generated/functions.yaml" | fromYaml }}
{{- $all := $generated.functions | default list }}
{{- $names := list }}
{{- range $all }}{{ $names = append $names .name }}{{ end }}
{{- range $name, $_ := .Values.functions.overrides }}
{{- if not (has $name $names) }}
{{- fail (printf "functions.overrides.%s: there is no function %q (the chart has: %s)" $name $name (join ", " $names)) }}
{{- end }}
{{- end }}
{{- $list := list }}
{{- range $fn := $all }}
{{- $o := get $.Values.functions.overrides $fn.name | default dict }}
{{- if or (not (hasKey $o "enabled")) $o.enabled }}
{{- $f := deepCopy $fn }}
{{- $_ := set $f "scaling" (mergeOverwrite (deepCopy $fn.scaling) (deepCopy ($o.scaling | default dict))) }}
{{- $_ := set $f "resources" (mergeOverwrite (deepCopy $fn.resources) (deepCopy ($o.resources | default dict))) }}
{{- $_ := set $f "env" ($o.env | default dict) }}
{{- $_ := set $f "envFrom" ($o.envFrom | default list) }}
{{- if hasKey $o "replicas" }}{{ $_ := set $f "replicas" $o.replicas }}{{ end }}
{{- if gt (int $f.scaling.minReplicas) (int $f.scaling.maxReplicas) }}
{{- fail (printf "function %s: scaling.minReplicas %d is above scaling.maxReplicas %d" $fn.name (int $f.scaling.minReplicas) (int $f.scaling.maxReplicas)) }}
{{- end }}
{{- $_ := set $f "bounds" (include "flowline.function.bounds" (dict "root" $ "fn" $f) | fromYaml) }}
{{- $list = append $list $f }}
{{- end }}
{{- end }}
{{- dict "functions" $list | toYaml }}
{{- end }}

{{/*
Replica bounds, the rule of keda/replica-bounds.ts (the chart test checks both agree):
maxReplicas is clamped to the largest subscribed topic's partitions when every
subscribed topic's count is in kafka.topicPartitions; minReplicas never exceeds it.
*/}}
{{- define "flowline.function.bounds" -}}
{{- $partitions := .root.Values.kafka.topicPartitions }}
{{- $limit := 0 }}
{{- $unknown := list }}
{{- range $topic := .fn.subscribes }}
{{- if hasKey $partitions $topic }}
{{- $limit = max $limit (int (get $partitions $topic)) }}
{{- else }}
{{- $unknown = append $unknown $topic }}
{{- end }}
{{- end }}
{{- $max := int .fn.scaling.maxReplicas }}
{{- if and (eq (len $unknown) 0) (gt $limit 0) }}
{{- $max = min $max $limit }}
{{- end }}
minReplicas: {{ min (int .fn.scaling.minReplicas) $max }}
maxReplicas: {{ $max }}
unknownTopics: {{ toJson $unknown }}
{{- end }}

{{/* Functions grouped by where a new consumer group starts: (dict "root" $ "functions" $functions "policy" "latest"). */}}
{{- define "flowline.functionNamesWithPolicy" -}}
{{- $names := list }}
{{- range .functions }}{{ if eq .offsetResetPolicy $.policy }}{{ $names = append $names .name }}{{ end }}{{ end }}
{{- toJson $names }}
{{- end }}

{{/* A function pod's annotations: the config checksum, and the Dapr sidecar's settings: (dict "root" $ "fn" $fn). */}}
{{- define "flowline.function.podAnnotations" -}}
{{- $ := .root }}
{{- include "flowline.configChecksum" $ }}
{{- if $.Values.dapr.enabled }}
dapr.io/enabled: "true"
dapr.io/app-id: {{ .fn.name | quote }}
dapr.io/app-port: {{ $.Values.functions.port | quote }}
dapr.io/app-protocol: http
dapr.io/config: {{ include "flowline.daprConfigName" $ | quote }}
dapr.io/log-level: {{ $.Values.dapr.logLevel | quote }}
dapr.io/log-as-json: "true"
dapr.io/enable-metrics: "true"
dapr.io/metrics-port: {{ $.Values.dapr.metricsPort | quote }}
dapr.io/enable-app-health-check: "true"
dapr.io/app-health-check-path: /healthz
dapr.io/graceful-shutdown-seconds: {{ sub (int $.Values.functions.terminationGracePeriodSeconds) 5 | quote }}
dapr.io/sidecar-cpu-request: {{ $.Values.dapr.sidecar.cpuRequest | quote }}
dapr.io/sidecar-memory-request: {{ $.Values.dapr.sidecar.memoryRequest | quote }}
dapr.io/sidecar-memory-limit: {{ $.Values.dapr.sidecar.memoryLimit | quote }}
dapr.io/sidecar-seccomp-profile-type: RuntimeDefault
{{- with (include "flowline.function.daprTokenAnnotations" $ | trim) }}
{{ . }}
{{- end }}
{{- end }}
{{- end }}
