/** Cluster metadata: brokers, topics, partition state; one SPI for one broker or many. */
@Export
@Version("1.3.0")
package dev.strata.api.metadata;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
