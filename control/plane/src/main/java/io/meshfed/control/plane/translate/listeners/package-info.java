/**
 * LDS building blocks: listeners bound to ports and API listeners, filter chains, HTTP connection managers with
 * their filters, TLS termination contexts, TCP proxies (docs/xds-profile.md, "Listeners"). Internal to the
 * translator: public only for its sibling packages, may change freely.
 */
package io.meshfed.control.plane.translate.listeners;
