{{/* Names, labels and small shared pieces of the ironlb chart. */}}

{{- define "ironlb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-ironlb, or just <release> when the release name already says ironlb. */}}
{{- define "ironlb.fullname" -}}
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

{{/* Cluster-scoped RBAC objects carry the namespace so two installs (e.g. one per
     loadBalancerClass) never collide. */}}
{{- define "ironlb.clusterName" -}}
{{- printf "%s:%s" .Release.Namespace (include "ironlb.fullname" .) }}
{{- end }}

{{- define "ironlb.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "ironlb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ironlb
{{- end }}

{{/* selectorLabels: pass (dict "ctx" $ "component" "controller"). */}}
{{- define "ironlb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ironlb.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "ironlb.componentLabels" -}}
{{ include "ironlb.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "ironlb.controllerServiceAccount" -}}
{{- if .Values.controller.serviceAccount.create }}
{{- default (printf "%s-controller" (include "ironlb.fullname" .)) .Values.controller.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.controller.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ironlb.speakerServiceAccount" -}}
{{- if .Values.speaker.serviceAccount.create }}
{{- default (printf "%s-speaker" (include "ironlb.fullname" .)) .Values.speaker.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.speaker.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ironlb.memberlistSecret" -}}
{{- default (printf "%s-memberlist" .Release.Name) .Values.speaker.memberlist.existingSecret }}
{{- end }}

{{/* "true" when the controller makes the memberlist Secret (docs/membership.md, "The key"):
     createSecret and no existingSecret. Empty otherwise. */}}
{{- define "ironlb.controllerCreatesSecret" -}}
{{- if and .Values.speaker.memberlist.createSecret (not .Values.speaker.memberlist.existingSecret) }}true{{ end }}
{{- end }}

{{- define "ironlb.leaseName" -}}
{{- printf "%s-controller" (include "ironlb.fullname" .) }}
{{- end }}

{{/* Flags both daemons take (docs/flags.md: common flags); ctx: root, component. */}}
{{- define "ironlb.commonArgs" -}}
- --namespace=$(POD_NAMESPACE)
- --log-level={{ include "ironlb.logLevel" . }}
- --log-format={{ .ctx.Values.logFormat }}
{{- with .ctx.Values.loadBalancerClass }}
- --lb-class={{ . }}
{{- end }}
{{- end }}

{{- /* Metrics and probe listeners (docs/metrics-endpoint.md); ctx: root, component. */}}
{{- define "ironlb.metricsArgs" -}}
{{- $v := index .ctx.Values .component -}}
- --metrics-address=0.0.0.0:{{ include "ironlb.metricsPort" . }}
- --probe-address=0.0.0.0:{{ $v.probePort }}
{{- if not .ctx.Values.prometheus.secureMetrics }}
- --metrics-insecure
{{- end }}
{{- if include "ironlb.metricsTLSSecret" . }}
- --tls-cert-file=/etc/ironlb/metrics-tls/tls.crt
- --tls-key-file=/etc/ironlb/metrics-tls/tls.key
{{- end }}
{{- end }}

{{- /* The volume and mount of the metrics certificate Secret, when one is given. */}}
{{- define "ironlb.metricsTLSVolume" -}}
{{- with include "ironlb.metricsTLSSecret" . }}
- name: metrics-tls
  secret:
    secretName: {{ . }}
    # Group-readable: the controller runs as 65534 and gets fsGroup 65534 with it.
    defaultMode: 0440
{{- end }}
{{- end }}
{{- define "ironlb.metricsTLSMount" -}}
{{- if include "ironlb.metricsTLSSecret" . }}
- name: metrics-tls
  mountPath: /etc/ironlb/metrics-tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "ironlb.metricsEnabled" -}}
{{- if or .Values.prometheus.metricsService.enabled .Values.prometheus.serviceMonitor.enabled }}true{{ end }}
{{- end }}
