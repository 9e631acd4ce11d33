/**
 * Where config comes from and how it is published: sources (a watched directory of YAML, Kubernetes informers), the
 * {@link io.meshfed.control.plane.config.ConfigStore} that parses and validates what they hold, keeps the last good
 * version of objects that turn invalid, and publishes immutable {@link io.meshfed.control.plane.config.ConfigSnapshot}s.
 */
package io.meshfed.control.plane.config;
