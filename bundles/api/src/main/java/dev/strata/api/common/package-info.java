/** Types shared by every part of the API: partitions, Kafka error codes, the API exception. */
@Export
@Version("1.3.0")
package dev.strata.api.common;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
