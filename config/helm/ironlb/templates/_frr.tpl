{{- /* BGP mode's FRR container in the speaker pod (docs/bgp.md, "How FRR runs beside the
       speaker"; the image: docs/image.md, "The FRR image"). All of it exists only with
       speaker.frr.enabled. */}}

{{- /* The directory both containers mount the shared emptyDir at: FRR's control sockets and the
       speaker's withdrawal marker. The image's supervisor and vtysh use this path. */}}
{{- define "ironlb.frrSocketDir" -}}/var/run/frr{{- end }}

{{- /* FRR's group frrvty in the ironlb-frr image: its control sockets are 0770 frr:frrvty. */}}
{{- define "ironlb.frrvtyGid" -}}102{{- end }}

{{- define "ironlb.frrEnabled" -}}
{{- if (.Values.speaker.frr | default (dict)).enabled }}true{{ end }}
{{- end }}

{{- /* MetalLB's FRR image (quay.io/frrouting/frr, its default) runs no supervisor and does not
       stop after the speaker's withdrawal: it cannot be ironlb's FRR container. */}}
{{- define "ironlb.isUpstreamFrrImage" -}}
{{- if regexMatch "(^|/)frrouting/frr$" (toString .) }}true{{ end }}
{{- end }}

{{- /* speaker.frr.image.repository, else image.repository with "-frr" appended
       (ironlb/ironlb-frr, what config/image/build.sh builds beside ironlb/ironlb); the tag:
       speaker.frr.image.tag, image.tag, the chart's appVersion. FRR's upstream image (and its
       tag) is never used. */}}
{{- define "ironlb.frrImage" -}}
{{- $own := (.Values.speaker.frr | default (dict)).image | default (dict) }}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if include "ironlb.isUpstreamFrrImage" $own.repository }}
{{- printf "%s-frr:%s" .Values.image.repository (toString $tag) }}
{{- else }}
{{- printf "%s:%s" ($own.repository | default (printf "%s-frr" .Values.image.repository)) (toString ($own.tag | default $tag)) }}
{{- end }}
{{- end }}

{{- define "ironlb.frrStopWaitSeconds" -}}
{{- $f := .Values.speaker.frr | default (dict) }}
{{- if hasKey $f "stopWaitSeconds" }}{{ $f.stopWaitSeconds }}{{ else }}20{{ end }}
{{- end }}

{{- /* The speaker pod's grace period: speaker.terminationGracePeriodSeconds when set, else 10 s,
       or with FRR its stop wait + 15 s (it must exceed the wait + 10 s: values-check.yaml). */}}
{{- define "ironlb.speakerGracePeriod" -}}
{{- $g := .Values.speaker.terminationGracePeriodSeconds }}
{{- if not (kindIs "invalid" $g) }}{{ $g }}
{{- else if include "ironlb.frrEnabled" . }}{{ add (include "ironlb.frrStopWaitSeconds" . | int) 15 }}
{{- else }}10{{ end }}
{{- end }}

{{- /* Refuses a grace period that would kill FRR before it has withdrawn and stopped. */}}
{{- define "ironlb.frrGracePeriodCheck" -}}
{{- if include "ironlb.frrEnabled" . }}
{{- $wait := include "ironlb.frrStopWaitSeconds" . | int }}
{{- $grace := include "ironlb.speakerGracePeriod" . | int }}
{{- if le $grace (add $wait 10) }}
{{- fail (printf "\nspeaker.terminationGracePeriodSeconds=%d must exceed speaker.frr.stopWaitSeconds (%d) + 10 s: on stop FRR's container waits up to stopWaitSeconds for the speaker to withdraw its routes, then up to 10 s for the daemons to stop; a shorter grace period kills FRR with its routes still announced (docs/bgp.md). Raise terminationGracePeriodSeconds above %d, lower stopWaitSeconds, or leave terminationGracePeriodSeconds unset (stopWaitSeconds + 15 s)." $grace $wait (add $wait 10)) }}
{{- end }}
{{- end }}
{{- end }}

{{- /* The volume both containers share. */}}
{{- define "ironlb.frrVolume" -}}
{{- if include "ironlb.frrEnabled" . -}}
- name: frr-sockets
  emptyDir: {}
{{- end }}
{{- end }}

{{- define "ironlb.frrMount" -}}
{{- if include "ironlb.frrEnabled" . -}}
- name: frr-sockets
  mountPath: {{ include "ironlb.frrSocketDir" . }}
{{- end }}
{{- end }}

{{- /* The container. No probes: the supervisor (PID 1) exits when zebra, bgpd or bfdd dies, so
       the kubelet restarts the container without one; the speaker reports FRR's state (sessions
       in metrics and Events, not ready while it cannot apply). */}}
{{- define "ironlb.frrContainer" -}}
{{- if include "ironlb.frrEnabled" . -}}
{{- $f := .Values.speaker.frr -}}
- name: frr
  image: {{ include "ironlb.frrImage" . }}
  imagePullPolicy: {{ ($f.image | default (dict)).pullPolicy | default .Values.image.pullPolicy }}
  env:
    # On SIGTERM the supervisor waits this long for the speaker's withdrawal marker.
    - name: IRONLB_FRR_STOP_WAIT_SECONDS
      value: {{ include "ironlb.frrStopWaitSeconds" . | quote }}
  securityContext:
    # Root only for the first instant of each daemon: FRR asks for its capabilities at start,
    # which Kubernetes grants to root only; the daemons and the supervisor then run as frr
    # (100:101). No privilege escalation and a read-only root: FRR writes only to
    # /var/run/frr (docs/image.md, "The FRR image").
    runAsUser: 0
    runAsNonRoot: false
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    capabilities:
      drop: ["ALL"]
      # Each one is asked for by FRR 8.4 at start, which fails without it (SYS_ADMIN: VRFs as
      # network namespaces, unused by ironlb but still required); SETUID/SETGID to become frr.
      add: ["NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE", "SYS_ADMIN", "SETUID", "SETGID"]
  {{- with $f.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    {{- include "ironlb.frrMount" . | nindent 4 }}
{{- end }}
{{- end }}
