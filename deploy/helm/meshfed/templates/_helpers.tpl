{{/*
Names are fixed, not prefixed by the release: the settings files, the remote-secret contract and users' Istio
config refer to them (meshfed-control-plane.<ns>:15012, istio: eastwestgateway), as istiod's are. One release per
namespace; cluster-scoped objects carry the namespace in their name.
*/}}

{{- define "meshfed.controlPlaneName" -}}meshfed-control-plane{{- end }}
{{- define "meshfed.readerName" -}}meshfed-reader{{- end }}
{{- define "meshfed.rootCertConfigMap" -}}meshfed-ca-root-cert{{- end }}
{{- define "meshfed.webhookName" -}}{{ printf "meshfed-validator-%s" .Release.Namespace | trimSuffix "-" }}{{- end }}
{{- define "meshfed.webhookSecret" -}}meshfed-webhook-tls{{- end }}

{{/* Gateway workload name for a role: meshfed-eastwestgateway, meshfed-ingressgateway, meshfed-egressgateway. */}}
{{- define "meshfed.gatewayName" -}}meshfed-{{ . }}gateway{{- end }}

{{/* The gateway roles in a fixed order, so rendering is stable. */}}
{{- define "meshfed.gatewayRoles" -}}eastwest ingress egress{{- end }}

{{- define "meshfed.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}
{{- end }}

{{/* Labels on every object. */}}
{{- define "meshfed.labels" -}}
app.kubernetes.io/part-of: meshfed
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* Selector labels of the control plane (stable across upgrades). */}}
{{- define "meshfed.controlPlaneSelector" -}}
app: meshfed-control-plane
app.kubernetes.io/name: meshfed-control-plane
{{- end }}

{{/* Selector labels of one gateway; argument: dict root, role. */}}
{{- define "meshfed.gatewaySelector" -}}
{{- $gw := index .root.Values.gateways .role -}}
app: {{ include "meshfed.gatewayName" .role }}
app.kubernetes.io/name: {{ include "meshfed.gatewayName" .role }}
{{- range $k, $v := $gw.labels }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}

{{/* The control plane's xDS address as the gateways dial it. */}}
{{- define "meshfed.xdsAddress" -}}
{{- .Values.gateways.xdsAddress | default (printf "%s.%s:15012" (include "meshfed.controlPlaneName" .) .Release.Namespace) -}}
{{- end }}

{{/* A duration in seconds in Istio's notation: 30 -> 30s. */}}
{{- define "meshfed.seconds" -}}{{ int . }}s{{- end }}

{{/*
Pod anti-affinity; argument: dict mode (soft|hard|none), selector (rendered selector labels).
Spreading replicas over nodes keeps one node's loss from taking every replica (Kubernetes "Assigning Pods to
Nodes", inter-pod anti-affinity).
*/}}
{{- define "meshfed.antiAffinity" -}}
{{- if eq .mode "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- .selector | nindent 12 }}
{{- else if eq .mode "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- .selector | nindent 14 }}
{{- end }}
{{- end }}

{{/* PodDisruptionBudget spec fields; argument: the podDisruptionBudget values. */}}
{{- define "meshfed.pdbSpec" -}}
{{- if and (not (kindIs "invalid" .minAvailable)) (not (kindIs "invalid" .maxUnavailable)) }}
{{- fail "podDisruptionBudget: set one of minAvailable and maxUnavailable, not both (set the other to null)" }}
{{- end }}
{{- if not (kindIs "invalid" .minAvailable) }}
minAvailable: {{ .minAvailable }}
{{- else if not (kindIs "invalid" .maxUnavailable) }}
maxUnavailable: {{ .maxUnavailable }}
{{- else }}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable (or enabled: false)" }}
{{- end }}
{{- end }}

{{/* Container security context: nothing to escalate, nothing to write outside the mounted volumes. */}}
{{- define "meshfed.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
capabilities:
  drop:
    - ALL
{{- end }}

{{- define "meshfed.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Downward-API environment every role reads for its xDS node identity (docs/xds-profile.md, Node identity). */}}
{{- define "meshfed.podEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- end }}

{{/*
Checks that hold across values; run once from the control plane's ConfigMap template.
*/}}
{{- define "meshfed.validate" -}}
{{- if not .Values.mesh.clusterId }}
{{- fail "mesh.clusterId: \"\" (expected: this cluster's id, unique in the mesh, e.g. --set mesh.clusterId=east)" }}
{{- end }}
{{- if not .Values.mesh.network }}
{{- fail "mesh.network: \"\" (expected: this cluster's network, e.g. --set mesh.network=network-east)" }}
{{- end }}
{{- if and .Values.controlPlane.enabled (eq .Values.ca.mode "local") (gt (int .Values.controlPlane.replicas) 1) }}
{{- fail (printf "controlPlane.replicas: %v (expected: 1 when ca.mode is local: each replica would mint its own root CA; use ca.mode vault or vault-sign for several replicas)" .Values.controlPlane.replicas) }}
{{- end }}
{{- if and .Values.controlPlane.enabled .Values.gateways.rootCertPem }}
{{- fail "gateways.rootCertPem: set (expected: empty while controlPlane.enabled; the control plane publishes meshfed-ca-root-cert itself)" }}
{{- end }}
{{- if and (not .Values.controlPlane.enabled) (not .Values.gateways.xdsAddress) }}
{{- fail "gateways.xdsAddress: \"\" (expected: the primary cluster's control plane address, host:15012, when controlPlane.enabled is false)" }}
{{- end }}
{{- if and (not .Values.controlPlane.enabled) (not .Values.gateways.rootCertPem) }}
{{- fail "gateways.rootCertPem: \"\" (expected: the mesh root certificate PEM when controlPlane.enabled is false: no control plane here publishes it)" }}
{{- end }}
{{- if and .Values.controlPlane.enabled .Values.webhook.enabled (eq .Values.webhook.caBundle "certManager") (not .Values.webhook.certManager.issuerRef.name) }}
{{- fail "webhook.certManager.issuerRef.name: \"\" (expected: the cert-manager Issuer or ClusterIssuer that signs the webhook certificate, or webhook.caBundle=controlPlane)" }}
{{- end }}
{{- if and (has .Values.ca.vault.auth.method (list "approle" "token")) (ne .Values.ca.mode "local") (not .Values.ca.vault.auth.secretName) }}
{{- fail (printf "ca.vault.auth.secretName: \"\" (expected: a Secret holding the Vault %s credentials when ca.vault.auth.method is %s)" .Values.ca.vault.auth.method .Values.ca.vault.auth.method) }}
{{- end }}
{{- end }}

{{/*
"true" when this CRD exists in the cluster and belongs to someone else, "false" otherwise; argument: dict root,
crd (the parsed CRD). Asks the API server only when it serves one of the CRD's versions (discovery, which Helm
already did for .Capabilities): a cluster without the API group cannot have the CRD, and `helm template` (no
cluster) never looks.
*/}}
{{- define "meshfed.crdOwnedElsewhere" -}}
{{- $served := false -}}
{{- range .crd.spec.versions -}}
{{- if $.root.Capabilities.APIVersions.Has (printf "%s/%s/%s" $.crd.spec.group .name $.crd.spec.names.kind) -}}
{{- $served = true -}}
{{- end -}}
{{- end -}}
{{- $existing := dict -}}
{{- if $served -}}
{{- $existing = lookup "apiextensions.k8s.io/v1" "CustomResourceDefinition" "" .crd.metadata.name -}}
{{- end -}}
{{- if $existing -}}
{{- $annotations := $existing.metadata.annotations | default dict -}}
{{- $ours := and (eq (get $annotations "meta.helm.sh/release-name") .root.Release.Name) (eq (get $annotations "meta.helm.sh/release-namespace") .root.Release.Namespace) -}}
{{- ternary "false" "true" $ours -}}
{{- else -}}
false
{{- end -}}
{{- end }}

{{/* Names of cluster-scoped objects carry the namespace, so two meshes' releases can share a cluster. */}}
{{- define "meshfed.controlPlaneClusterRole" -}}{{ printf "meshfed-control-plane-%s" .Release.Namespace | trimSuffix "-" }}{{- end }}
{{- define "meshfed.readerClusterRole" -}}{{ printf "meshfed-reader-%s" .Release.Namespace | trimSuffix "-" }}{{- end }}
