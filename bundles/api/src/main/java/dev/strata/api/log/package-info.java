/** The log-store SPI: partition logs made of record batches, and the swappable offset index. */
@Export
@Version("2.0.0")
package dev.strata.api.log;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
