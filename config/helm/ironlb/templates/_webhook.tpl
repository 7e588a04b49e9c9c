{{- /* The controller's validating admission webhook (docs/webhook.md): names and flags. On
       unless webhook.enabled=false or MetalLB's controller.webhookMode=disabled, and only with
       the controller. */}}
{{- define "ironlb.webhookEnabled" -}}
{{- if and (include "ironlb.enabled" (dict "ctx" . "component" "controller")) .Values.webhook.enabled (ne (toString .Values.controller.webhookMode) "disabled") }}true{{ end }}
{{- end }}

{{- define "ironlb.webhookService" -}}
{{- printf "%s-webhook" (include "ironlb.fullname" .) }}
{{- end }}

{{- define "ironlb.webhookSecret" -}}
{{- printf "%s-webhook-cert" (include "ironlb.fullname" .) }}
{{- end }}

{{/* Cluster-scoped, so it carries the namespace (a DNS name: no ':' as in clusterName). */}}
{{- define "ironlb.webhookConfiguration" -}}
{{- printf "%s-%s-webhook" .Release.Namespace (include "ironlb.fullname" .) | trunc 253 }}
{{- end }}

{{- define "ironlb.webhookArgs" -}}
{{- if include "ironlb.webhookEnabled" . }}
- --webhook
- --webhook-address=:{{ .Values.webhook.port }}
- --webhook-service={{ include "ironlb.webhookService" . }}
- --webhook-secret={{ include "ironlb.webhookSecret" . }}
- --webhook-configuration={{ include "ironlb.webhookConfiguration" . }}
{{- end }}
{{- end }}
