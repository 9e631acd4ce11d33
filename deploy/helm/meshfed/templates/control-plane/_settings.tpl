{{/*
The control plane's settings file, docs/configuration.md "Control plane". Built as a dict and rendered with
toYaml so every value is quoted correctly; keys are exactly the documented ones (ChartSettingsTest checks).
*/}}
{{- define "meshfed.controlPlaneSettings" -}}
{{- $v := .Values -}}
{{- $auth := $v.ca.vault.auth -}}
{{- $tokenFile := "" -}}
{{- if eq $auth.method "kubernetes" -}}
{{- $tokenFile = ternary "/var/run/secrets/tokens/vault-token" "/var/run/secrets/kubernetes.io/serviceaccount/token" (not (empty $auth.audience)) -}}
{{- else if eq $auth.method "token" -}}
{{- $tokenFile = "/etc/meshfed/vault-auth/token" -}}
{{- end -}}
{{- $approle := eq $auth.method "approle" -}}
{{- $caCertFile := "" -}}
{{- if $v.ca.vault.caCertConfigMap -}}
{{- $caCertFile = printf "/etc/meshfed/vault-ca/%s" $v.ca.vault.caCertKey -}}
{{- end -}}
{{- $settings := dict
  "meshId" $v.mesh.meshId
  "clusterId" $v.mesh.clusterId
  "network" $v.mesh.network
  "trustDomain" $v.mesh.trustDomain
  "trustDomainAliases" $v.mesh.trustDomainAliases
  "systemNamespace" .Release.Namespace
  "locality" (dict "region" $v.mesh.locality.region "zone" $v.mesh.locality.zone)
  "dataDir" "/var/lib/meshfed"
  "config" (dict
    "source" $v.controlPlane.configSource.source
    "directory" $v.controlPlane.configSource.directory
    "kubeconfig" $v.controlPlane.configSource.kubeconfig)
  "ca" (dict
    "mode" $v.ca.mode
    "workloadCertTtl" $v.ca.workloadCertTtl
    "vault" (dict
      "address" $v.ca.vault.address
      "pkiPath" $v.ca.vault.pkiPath
      "intermediatePath" $v.ca.vault.intermediatePath
      "role" $v.ca.vault.role
      "caCertFile" $caCertFile
      "auth" (dict
        "method" $auth.method
        "role" $auth.role
        "mountPath" $auth.mountPath
        "tokenFile" $tokenFile
        "roleIdFile" (ternary "/etc/meshfed/vault-auth/role-id" "" $approle)
        "secretIdFile" (ternary "/etc/meshfed/vault-auth/secret-id" "" $approle))))
  "federation" (dict
    "members" $v.federation.members
    "relayPort" $v.federation.relayPort
    "hazelcastPort" $v.federation.hazelcastPort
    "kubernetesDiscovery" $v.federation.kubernetesDiscovery
    "leaseGrace" $v.federation.leaseGrace
    "onStale" $v.federation.onStale
    "remoteSecretTimeout" $v.federation.remoteSecretTimeout
    "memberTimeout" $v.federation.memberTimeout
    "mergeInterval" $v.federation.mergeInterval)
  "xds" (dict
    "plaintextAddress" "127.0.0.1:15010"
    "tlsAddress" "0.0.0.0:15012"
    "debounceAfter" $v.xds.debounceAfter
    "debounceMax" $v.xds.debounceMax)
  "admin" (dict "address" "0.0.0.0:15014")
  "webhook" (dict "address" (ternary "0.0.0.0:15017" "" $v.webhook.enabled))
  "outboundTrafficPolicy" $v.outboundTrafficPolicy
  "meshConfig" (dict
    "extensionProviders" $v.meshConfig.extensionProviders
    "defaultConfig" (dict "tracing" (dict "sampling" $v.meshConfig.defaultConfig.tracing.sampling)))
-}}
{{- toYaml $settings }}
{{- end }}
