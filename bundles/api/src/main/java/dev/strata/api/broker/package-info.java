/**
 * The broker service that protocol bundles call: produce, fetch, offsets, topics, producer ids, configurations and
 * the admin calls on logs.
 */
@Export
@Version("2.0.0")
package dev.strata.api.broker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
