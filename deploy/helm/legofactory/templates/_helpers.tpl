{{- define "legofactory.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "legofactory.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "legofactory.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "legofactory.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "legofactory.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-secrets" (include "legofactory.fullname" .)) -}}
{{- end -}}

{{/* Settings every LegoFactory container gets: plain values, then the secret's keys. */}}
{{- define "legofactory.env" -}}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: "3000"
- name: LEGO_DATA_DIR
  value: /var/lib/lego
{{- range $name, $value := .Values.env }}
{{- if $value }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- range $key := list "APP_ID" "PRIVATE_KEY" "WEBHOOK_SECRET" "DATABASE_URL" "REDIS_URL" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef: { name: {{ include "legofactory.secretName" $ }}, key: {{ $key }} }
{{- end }}
{{- range $key := list "GITHUB_CLIENT_ID" "GITHUB_CLIENT_SECRET" "LEGO_DASHBOARD_TOKEN" "LEGO_SESSION_SECRET" "LEGO_METRICS_TOKEN" "LEGO_POLICY_API_KEY" "LEGO_VERIFIER_API_KEY" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef: { name: {{ include "legofactory.secretName" $ }}, key: {{ $key }}, optional: true }
{{- end }}
{{- end -}}
