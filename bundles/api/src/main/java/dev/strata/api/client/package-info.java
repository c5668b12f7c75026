/**
 * The in-container client: bundles in the container produce to and consume from local topics through the
 * {@link dev.strata.api.client.LocalClient} service, without a network hop, with the validation, offsets,
 * idempotence and compression of the Kafka wire path.
 */
@Export
@Version("1.0.0")
package dev.strata.api.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
