/** The partitioner SPI that vendor bundles implement. */
@Export
@Version("1.0.0")
package dev.strata.api.partition;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
