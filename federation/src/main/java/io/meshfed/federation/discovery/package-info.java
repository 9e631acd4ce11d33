/**
 * A cluster's Kubernetes objects (Services, EndpointSlices, Pods, Namespaces, MCS ServiceExports) as catalog entries,
 * whatever feeds them: fabric8 informers or a static list parsed from YAML files.
 */
package io.meshfed.federation.discovery;
