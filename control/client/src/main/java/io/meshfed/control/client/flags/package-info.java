/**
 * Envoy's response-flag vocabulary as meshfed's gateways use it (docs/xds-profile.md, "Response flags"): the flags
 * ({@link io.meshfed.control.client.flags.ResponseFlag}), the set of flags on one request
 * ({@link io.meshfed.control.client.flags.ResponseFlags}, also the {@code x-meshfed-flags} header and the
 * {@code response_flags} metric label), and what each flag means for an operator
 * ({@link io.meshfed.control.client.flags.Explanations}).
 */
package io.meshfed.control.client.flags;
