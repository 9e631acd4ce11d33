{{/*
One gateway's settings file, docs/configuration.md "Gateways"; argument: dict root, role.
*/}}
{{- define "meshfed.gatewaySettings" -}}
{{- $v := .root.Values -}}
{{- $gw := index $v.gateways .role -}}
{{- $name := include "meshfed.gatewayName" .role -}}
{{- $settings := dict
  "name" $name
  "namespace" .root.Release.Namespace
  "clusterId" $v.mesh.clusterId
  "network" $v.mesh.network
  "meshId" $v.mesh.meshId
  "serviceAccount" $name
  "labels" $gw.labels
  "xds" (dict
    "address" (include "meshfed.xdsAddress" .root)
    "tokenFile" "/var/run/secrets/tokens/meshfed-token"
    "caCertFile" "/var/run/secrets/meshfed/root-cert.pem")
  "ports" (dict "health" 15021 "metrics" 15090 "admin" "127.0.0.1:15000")
  "drainTimeout" (include "meshfed.seconds" $v.gateways.drainTimeoutSeconds)
  "transport" $v.gateways.transport
  "accessLog" (dict
    "path" $v.gateways.accessLog.path
    "filter" $v.gateways.accessLog.filter
    "sampling" $v.gateways.accessLog.sampling)
-}}
{{- toYaml $settings }}
{{- end }}

{{/* Container ports that carry traffic, per role (docs/architecture.md, Ports). */}}
{{- define "meshfed.gatewayTrafficPorts" -}}
{{- if eq . "eastwest" }}
- name: tls
  containerPort: 15443
  protocol: TCP
- name: outbound
  containerPort: 15001
  protocol: TCP
{{- else }}
- name: http2
  containerPort: 8080
  protocol: TCP
- name: https
  containerPort: 8443
  protocol: TCP
{{- end }}
{{- end }}
