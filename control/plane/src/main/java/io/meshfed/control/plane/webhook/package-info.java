/**
 * The validating admission webhook on :15017: Istio config and ServiceExports judged by the same parser and analysis
 * as {@code meshfed analyze}, with the serving certificate and {@code caBundle} handling of the Helm chart's modes.
 */
package io.meshfed.control.plane.webhook;
