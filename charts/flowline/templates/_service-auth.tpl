{{/*
Service-to-service tokens (runtime/hosts/caller-auth.ts): who may call a function process.
The gateway presents the invoke token on POST /invoke; on the dapr host each sidecar
presents the app token to its app, and the app the API token to its sidecar. Each comes
from a Secret of yours with the key "token" (Dapr's injector reads that key); one Secret
serves all three unless serviceAuth names others for Dapr's two.
*/}}

{{/* The Secret holding a token: (dict "root" $ "which" "invoke"|"daprApp"|"daprApi"). */}}
{{- define "flowline.serviceToken.secretName" -}}
{{- $a := .root.Values.serviceAuth }}
{{- $name := $a.existingSecret }}
{{- if eq .which "daprApp" }}{{ $name = $a.daprAppTokenSecret | default $name }}{{ end }}
{{- if eq .which "daprApi" }}{{ $name = $a.daprApiTokenSecret | default $name }}{{ end }}
{{- required "serviceAuth.existingSecret is required while serviceAuth.enabled: a Secret with the key token (kubectl create secret generic flowline-service-token --from-literal=token=$(openssl rand -base64 36)); or set serviceAuth.enabled=false" $name }}
{{- end }}

{{- define "flowline.serviceToken.envVar" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "flowline.serviceToken.secretName" (dict "root" .root "which" .which) }}
      key: token
{{- end }}

{{/* A function container's tokens. */}}
{{- define "flowline.env.functionAuth" -}}
{{- if .Values.serviceAuth.enabled }}
{{- include "flowline.serviceToken.envVar" (dict "root" . "which" "invoke" "name" "FLOWLINE_INVOKE_TOKEN") }}
{{- if .Values.dapr.enabled }}
{{ include "flowline.serviceToken.envVar" (dict "root" . "which" "daprApp" "name" "APP_API_TOKEN") }}
{{ include "flowline.serviceToken.envVar" (dict "root" . "which" "daprApi" "name" "DAPR_API_TOKEN") }}
{{- end }}
{{- end }}
{{- end }}

{{/* The gateway's: it calls the functions' Services with the invoke token. */}}
{{- define "flowline.env.gatewayAuth" -}}
{{- if .Values.serviceAuth.enabled }}
{{- include "flowline.serviceToken.envVar" (dict "root" . "which" "invoke" "name" "FLOWLINE_INVOKE_TOKEN") }}
{{- end }}
{{- end }}

{{/* The sidecar's annotations: the injector gives daprd the same Secrets. */}}
{{- define "flowline.function.daprTokenAnnotations" -}}
{{- if .Values.serviceAuth.enabled }}
dapr.io/app-token-secret: {{ include "flowline.serviceToken.secretName" (dict "root" . "which" "daprApp") | quote }}
dapr.io/api-token-secret: {{ include "flowline.serviceToken.secretName" (dict "root" . "which" "daprApi") | quote }}
{{- end }}
{{- end }}
