/** The compression SPI: one codec service per Kafka compression type. */
@Export
@Version("1.1.0")
package dev.strata.api.compression;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
