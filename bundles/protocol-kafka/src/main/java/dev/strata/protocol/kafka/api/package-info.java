/**
 * What the Kafka protocol bundle publishes about itself: the listener endpoint it is bound to and its load against
 * its limits.
 */
@Export
@Version("1.1.0")
package dev.strata.protocol.kafka.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
