/** The replication SPI: when appended data counts as committed (the high watermark), and later the followers. */
@Export
@Version("1.0.0")
package dev.strata.api.replication;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
