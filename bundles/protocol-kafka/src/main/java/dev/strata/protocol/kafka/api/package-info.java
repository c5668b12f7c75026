/** What the Kafka protocol bundle publishes about itself: the listener endpoint it is bound to. */
@Export
@Version("1.0.0")
package dev.strata.protocol.kafka.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
