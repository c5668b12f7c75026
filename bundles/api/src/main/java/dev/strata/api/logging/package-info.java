/** Logger levels changed while the container runs (Kafka's BROKER_LOGGER configs, the Gogo shell). */
@Export
@Version("1.0.0")
package dev.strata.api.logging;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
