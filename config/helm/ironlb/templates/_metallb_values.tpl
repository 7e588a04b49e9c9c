{{- /* MetalLB chart values (v0.16) read by this chart (docs/metallb-chart-values.md).

       A values file written for MetalLB's chart works here: every MetalLB key with an ironlb
       meaning is mapped onto it by the helpers below, and every key this chart does not act on
       is listed by "ironlb.ignoredValues": in NOTES.txt after install/upgrade, or as the
       error of the install when metallbCompat.failOnIgnored is true. */}}

{{- /* Every key this chart knows, as a tree: true = used (whatever lies below), a string =
       a MetalLB key with no ironlb meaning and why, a map = look at the keys below. A key
       missing from the tree is neither ironlb's nor MetalLB's (a typo, or an older MetalLB's). */}}
{{- define "ironlb.knownValues" -}}
{{- $frrK8s := "ironlb does not deploy or drive frr-k8s; its BGP mode runs FRR in the speaker pod: set speaker.frr.enabled=true (docs/bgp.md)" -}}
{{- $frrPart := "a container of MetalLB's FRR mode; ironlb's speaker applies FRR's configuration through its sockets itself and has no such container (docs/bgp.md)" -}}
{{- $frrMetrics := "ironlb's speaker exports the BGP and BFD metrics on its own /metrics port; FRR's container serves none" -}}
{{- $tls := "ironlb's /metrics TLS is fixed: TLS 1.2 minimum, OpenSSL's default ciphers and curves (docs/metrics-endpoint.md)" -}}
{{- $workload := dict "enabled" true "logLevel" true "image" (dict "repository" true "tag" true "pullPolicy" true)
      "serviceAccount" true "securityContext" true "resources" true "nodeSelector" true "tolerations" true
      "affinity" true "priorityClassName" true "runtimeClassName" true "podAnnotations" true "podLabels" true
      "labels" true "livenessProbe" true "readinessProbe" true "startupProbe" true "extraContainers" true
      "extraArgs" true "metricsPort" true "probePort" true -}}
{{- $controller := merge (dict "replicas" true "leaderElect" true "strategy" true
      "webhookMode" true) $workload -}}
{{- $speaker := merge (dict "tolerateMaster" true "ignoreExcludeLB" true "excludeInterfaces" true
      "terminationGracePeriodSeconds" true "updateStrategy" true
      "memberlist" (dict "port" true "createSecret" true "existingSecret" true "requireSealed" true
        "enabled" true "mlBindPort" true "mlBindAddrOverride" true
        "mlSecretKeyPath" "ironlb mounts the memberlist key itself, at /etc/ironlb/memberlist/secretkey")
      "bgpDebounceTimeout" "ironlb has no debounce setting: the speaker applies each change to FRR as the few commands that changed (docs/bgp.md)"
      "frr" (dict "enabled" true "image" (dict "repository" true "tag" true "pullPolicy" true)
        "resources" true "stopWaitSeconds" true "metricsPort" $frrMetrics "secureMetricsPort" $frrMetrics)
      "reloader" $frrPart "frrMetrics" $frrPart
      "initContainers" $frrPart) (deepCopy $workload) -}}
{{- $monitor := dict "enabled" true "interval" true "scrapeTimeout" true "additionalLabels" true
      "annotations" true "jobLabel" true "relabelings" true "metricRelabelings" true "tlsConfig" true
      "bearerTokenFile" true "authorization" true
      "controller" (dict "additionalLabels" true "annotations" true "tlsConfig" true)
      "speaker" (dict "additionalLabels" true "annotations" true "tlsConfig" true) -}}
{{- $rule := dict "enabled" true "additionalLabels" true "annotations" true "seriesSelector" true
      "staleConfig" true "configNotLoaded" true "addressPoolExhausted" true "addressPoolUsage" true
      "ipNotAnnounced" true "duplicateOwner" true "foreignClaim" true "speakerMembersMissing" true
      "controllerNoLeader" true "extraAlerts" true
      "bgpSessionDown" "ironlb has no BGP session alert yet" -}}
{{- $prometheus := dict "secureMetrics" true "metricsReader" true "metricsService" true
      "grafanaDashboard" true "scrapeAnnotations" true "metricsPort" true "rbacPrometheus" true
      "serviceAccount" true "namespace" true
      "serviceMonitor" $monitor "podMonitor" (deepCopy $monitor) "prometheusRule" $rule -}}
{{- $tree := dict "global" true "webhook" true "loadBalancerClass" true "logLevel" true "logFormat" true
      "image" true "imagePullSecrets" true "nameOverride" true "fullnameOverride" true
      "namespace" true "rbac" true "nodeSelector" true "tolerations" true "metallbCompat" true
      "admissionPolicy" true "crds" (dict "enabled" true "keep" true
        "validationFailurePolicy" "ironlb's webhook takes webhook.failurePolicy (default Ignore, so a controller outage never blocks applies; docs/webhook.md), not MetalLB's Fail default")
      "tls" (dict "controllerMetricsTLSSecret" true "speakerMetricsTLSSecret" true
        "cipherSuites" $tls "curvePreferences" $tls "minVersion" $tls)
      "prometheus" $prometheus "controller" $controller "speaker" $speaker
      "frrk8s" true "frr-k8s" $frrK8s
      "networkpolicies" "ironlb's chart ships no NetworkPolicies (the speaker runs on the host network, where they do not apply)" -}}
{{- toJson $tree -}}
{{- end }}

{{- /* walkValues: (dict "values" V "tree" T "prefix" P): one "- key: why" line per key of V
       that T marks ignored or does not know. */}}
{{- define "ironlb.walkValues" -}}
{{- $tree := .tree -}}
{{- range $key, $val := .values }}
{{- $path := ternary $key (printf "%s.%s" $.prefix $key) (eq $.prefix "") }}
{{- if not (hasKey $tree $key) }}
- {{ $path }}: not a value of ironlb's chart nor of MetalLB's (v0.16)
{{- else }}
{{- $t := index $tree $key }}
{{- if kindIs "string" $t }}
- {{ $path }}: {{ $t }}
{{- else if and (kindIs "map" $t) (kindIs "map" $val) }}
{{- include "ironlb.walkValues" (dict "values" $val "tree" $t "prefix" $path) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- /* A MetalLB image cannot run ironlb's binaries. */}}
{{- define "ironlb.isMetallbImage" -}}
{{- if regexMatch "(^|/)metallb/(controller|speaker)$" (toString .) }}true{{ end }}
{{- end }}

{{- /* Every value this release does not act on, one "- key: why" line each; empty when none. */}}
{{- define "ironlb.ignoredValues" -}}
{{- $lines := include "ironlb.walkValues" (dict "values" .Values "tree" (include "ironlb.knownValues" . | fromJson) "prefix" "") }}
{{- range $component := list "controller" "speaker" }}
{{- $v := index $.Values $component }}
{{- if eq (toString $v.logLevel) "none" }}
{{- $lines = printf "%s\n- %s.logLevel=none: ironlb cannot switch its logs off; it logs errors only (--log-level=error)" $lines $component }}
{{- end }}
{{- with $v.image }}
{{- if include "ironlb.isMetallbImage" .repository }}
{{- $lines = printf "%s\n- %s.image.repository=%s: a MetalLB image cannot run ironlb; the %s runs image.repository (%s)" $lines $component .repository $component (include "ironlb.image" (dict "ctx" $ "component" $component)) }}
{{- if .tag }}
{{- $lines = printf "%s\n- %s.image.tag=%s: the tag of that MetalLB image, ignored with it" $lines $component (toString .tag) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- with (.Values.speaker.frr | default (dict)).image }}
{{- if include "ironlb.isUpstreamFrrImage" .repository }}
{{- $lines = printf "%s\n- speaker.frr.image.repository=%s: FRR's own image has no ironlb supervisor (it would not wait for the speaker's withdrawal on stop); the frr container runs %s (docs/bgp.md)" $lines .repository (include "ironlb.frrImage" $) }}
{{- if .tag }}
{{- $lines = printf "%s\n- speaker.frr.image.tag=%s: the tag of that FRR image, ignored with it" $lines (toString .tag) }}
{{- end }}
{{- end }}
{{- end }}
{{- if (.Values.frrk8s | default (dict)).enabled }}
{{- $lines = printf "%s\n- frrk8s.enabled=true: %s" $lines (get (include "ironlb.knownValues" . | fromJson) "frr-k8s") }}
{{- end }}
{{- $ml := .Values.speaker.memberlist }}
{{- if and (hasKey $ml "enabled") (not $ml.enabled) }}
{{- $lines = printf "%s\n- speaker.memberlist.enabled=false: ironlb's speakers always see each other over memberlist; there is no fallback to node readiness alone, so the speakers keep running it" $lines }}
{{- end }}
{{- with $ml.mlBindAddrOverride }}
{{- $lines = printf "%s\n- speaker.memberlist.mlBindAddrOverride=%s: ironlb's speakers bind and advertise their node's IP (status.hostIP)" $lines . }}
{{- end }}
{{- trim $lines }}
{{- end }}

{{- /* ---- Values read from either chart's key (ctx: root, component: controller|speaker) ---- */}}

{{- /* The component's log level: its own logLevel (MetalLB's controller/speaker.logLevel; all ->
       debug, none -> error) over the global one. */}}
{{- define "ironlb.logLevel" -}}
{{- $l := (index .ctx.Values .component).logLevel | default .ctx.Values.logLevel | toString }}
{{- get (dict "all" "debug" "none" "error") $l | default $l }}
{{- end }}

{{- /* The metrics port: MetalLB's prometheus.metricsPort (one port for both) over ours. */}}
{{- define "ironlb.metricsPort" -}}
{{- .ctx.Values.prometheus.metricsPort | default (index .ctx.Values .component).metricsPort }}
{{- end }}

{{- define "ironlb.memberlistPort" -}}
{{- .Values.speaker.memberlist.mlBindPort | default .Values.speaker.memberlist.port }}
{{- end }}

{{- /* A component's own image (MetalLB's controller/speaker.image) unless it is MetalLB's. */}}
{{- define "ironlb.image" -}}
{{- $own := (index .ctx.Values .component).image | default (dict) }}
{{- if and $own.repository (not (include "ironlb.isMetallbImage" $own.repository)) }}
{{- printf "%s:%s" $own.repository (toString ($own.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion)) }}
{{- else }}
{{- printf "%s:%s" .ctx.Values.image.repository (toString (.ctx.Values.image.tag | default .ctx.Chart.AppVersion)) }}
{{- end }}
{{- end }}

{{- define "ironlb.imagePullPolicy" -}}
{{- ((index .ctx.Values .component).image | default (dict)).pullPolicy | default .ctx.Values.image.pullPolicy }}
{{- end }}

{{- define "ironlb.enabled" -}}
{{- $v := index .ctx.Values .component }}
{{- if or (not (hasKey $v "enabled")) $v.enabled }}true{{ end }}
{{- end }}

{{- /* The Secret (tls.crt, tls.key) with the component's /metrics certificate: MetalLB's
       tls.controllerMetricsTLSSecret / tls.speakerMetricsTLSSecret. */}}
{{- define "ironlb.metricsTLSSecret" -}}
{{- with .ctx.Values.tls }}{{ index . (printf "%sMetricsTLSSecret" $.component) | default "" }}{{ end }}
{{- end }}

{{- /* The ServiceAccount bound to the metrics reader: ours, else MetalLB's prometheus.serviceAccount
       (unless prometheus.rbacPrometheus is false). Prints "name namespace" or nothing. */}}
{{- define "ironlb.metricsReader" -}}
{{- $p := .Values.prometheus }}
{{- if $p.metricsReader.serviceAccount }}
{{- printf "%s %s" $p.metricsReader.serviceAccount ($p.metricsReader.namespace | default .Release.Namespace) }}
{{- else if and $p.serviceAccount (or (not (hasKey $p "rbacPrometheus")) $p.rbacPrometheus) }}
{{- printf "%s %s" $p.serviceAccount ($p.namespace | default .Release.Namespace) }}
{{- end }}
{{- end }}

{{- /* Pod annotations: the component's podAnnotations, plus the prometheus.io/* scrape hints
       when MetalLB's prometheus.scrapeAnnotations is true. */}}
{{- define "ironlb.podAnnotations" -}}
{{- $a := deepCopy ((index .ctx.Values .component).podAnnotations | default (dict)) }}
{{- if .ctx.Values.prometheus.scrapeAnnotations }}
{{- $_ := set $a "prometheus.io/scrape" "true" }}
{{- $_ := set $a "prometheus.io/port" (include "ironlb.metricsPort" .) }}
{{- if .ctx.Values.prometheus.secureMetrics }}
{{- $_ := set $a "prometheus.io/scheme" "https" }}
{{- end }}
{{- end }}
{{- with $a }}{{ toYaml . }}{{ end }}
{{- end }}

{{- /* Pod labels: podLabels plus MetalLB's labels. */}}
{{- define "ironlb.podLabels" -}}
{{- $v := index .ctx.Values .component }}
{{- with merge (dict) ($v.labels | default (dict)) ($v.podLabels | default (dict)) }}{{ toYaml . }}{{ end }}
{{- end }}

{{- /* The pod securityContext: the chart's, with the component's securityContext over it, and
       the groups the pod needs (optional groups: a list) added to its supplementalGroups. */}}
{{- define "ironlb.podSecurityContext" -}}
{{- $own := (index .ctx.Values .component).securityContext | default (dict) }}
{{- $sc := merge (deepCopy $own) .defaults }}
{{- if .groups }}
{{- $groups := list }}
{{- range concat ($sc.supplementalGroups | default list) .groups }}
{{- if not (has (int .) $groups) }}{{ $groups = append $groups (int .) }}{{ end }}
{{- end }}
{{- $_ := set $sc "supplementalGroups" $groups }}
{{- end }}
{{- toYaml $sc }}
{{- end }}

{{- /* A probe (ctx, component, kind: livenessProbe|readinessProbe|startupProbe, path, defaults):
       the defaults with the component's settings of that name over them (MetalLB's keys);
       nothing when they say enabled: false, or for a probe with no defaults and no settings. */}}
{{- define "ironlb.probe" -}}
{{- $v := index .ctx.Values .component }}
{{- $own := index $v .kind | default (dict) }}
{{- if and (or .defaults (hasKey $v .kind)) (or (not (hasKey $own "enabled")) $own.enabled) }}
{{- .kind }}:
  httpGet:
    path: {{ .path }}
    port: probes
  {{- toYaml (merge (omit $own "enabled") (.defaults | default (dict))) | nindent 2 }}
{{- end }}
{{- end }}

{{- /* --exclude-interfaces: ours is a list of regexes (empty: the built-in list); MetalLB's is
       {enabled: bool}: true = the built-in list, false = exclude nothing ("^$" matches no
       interface name). */}}
{{- define "ironlb.excludeInterfacesArg" -}}
{{- $e := .Values.speaker.excludeInterfaces }}
{{- if kindIs "map" $e }}
{{- if and (hasKey $e "enabled") (not $e.enabled) }}
- --exclude-interfaces=^$
{{- end }}
{{- else if $e }}
- --exclude-interfaces={{ join "," $e }}
{{- end }}
{{- end }}
