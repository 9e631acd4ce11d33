/**
 * SVID rotation: the holder every endpoint reads its SVID from ({@link io.meshfed.trust.rotation.RotatingSvid}), where
 * it fetches new ones ({@link io.meshfed.trust.rotation.SvidSource}), and when ({@link
 * io.meshfed.trust.rotation.RotationPolicy}, {@link io.meshfed.trust.rotation.Backoff}).
 */
package io.meshfed.trust.rotation;
