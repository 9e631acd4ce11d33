/**
 * The client side of the control plane's CA service (Istio's {@code IstioCertificateService} on :15012): gateways
 * ask for their SVIDs with {@link io.meshfed.control.client.ca.CaClient} and keep them fresh through
 * {@link io.meshfed.control.client.ca.CaSvidSource} and trust's {@code RotatingSvid}. The wire messages
 * ({@link io.meshfed.control.client.ca.IstioCaProtocol}) are shared with the server in control/plane.
 */
package io.meshfed.control.client.ca;
