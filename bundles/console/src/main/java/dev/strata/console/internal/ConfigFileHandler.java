package dev.strata.console.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Dictionary;
import org.apache.felix.webconsole.spi.ConfigurationHandler;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a configuration saved in the web console's Configuration tab persist in its {@code etc/<pid>.cfg}.
 *
 * <p>A web console SPI service: the console asks it which properties to show, and tells it about every save and
 * delete before it stores them in ConfigAdmin. A save is written to the configuration's file (see
 * {@link ConfigFiles}); a delete removes the file, so the configuration does not come back at the next start.
 * FileInstall reads the file back and finds it matches the configuration.
 *
 * <p>Thread-safe: the console may call it from several requests at once; it keeps no mutable state.
 */
@Component(service = ConfigurationHandler.class)
public final class ConfigFileHandler implements ConfigurationHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFileHandler.class);

    private final ConfigurationAdmin configAdmin;
    private final ConfigFiles files;

    @Activate
    public ConfigFileHandler(@Reference ConfigurationAdmin configAdmin, BundleContext context) {
        this.configAdmin = configAdmin;
        this.files = ConfigFiles.fromFrameworkProperties(context.getProperty("felix.fileinstall.dir"),
                context.getProperty("felix.fileinstall.filter"));
    }

    @Override
    public void filterProperties(String factoryPid, String pid, Collection<String> propertyNames) {
        propertyNames.removeIf(ConfigFiles::isHidden);
    }

    @Override
    public void updateConfiguration(String factoryPid, String pid, Dictionary<String, Object> properties)
            throws IOException {
        Path file;
        try {
            file = files.save(factoryPid, pid, linkedFile(pid), properties);
        } catch (IOException e) {
            // Failing the save (the console shows an error, nothing changes) beats a change lost at the next start.
            LOG.error("Configuration {} not saved: its file could not be written", pid, e);
            throw e;
        }
        if (file != null) {
            LOG.info("Configuration {} saved in the web console; written to {}", pid, file);
        } else {
            LOG.info("Configuration {} saved in the web console; no file holds it (kept by ConfigAdmin until the "
                    + "next start)", pid);
        }
    }

    /** The configuration's current file link; null if it has none (or does not exist yet). */
    private String linkedFile(String pid) throws IOException {
        Configuration[] found;
        try {
            found = configAdmin.listConfigurations("(service.pid=" + escapeFilterValue(pid) + ")");
        } catch (InvalidSyntaxException e) {
            throw new IOException("PID " + pid + " makes no valid filter", e);
        }
        if (found == null || found.length == 0) {
            return null;
        }
        Dictionary<String, Object> current = found[0].getProperties();
        Object file = current == null ? null : current.get(ConfigFiles.FILENAME);
        return file == null ? null : file.toString();
    }

    /** RFC 1960 filter value escaping. */
    static String escapeFilterValue(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public void createConfiguration(String pid) {
        // nothing to check: the first save links the file
    }

    @Override
    public void createFactoryConfiguration(String factoryPid, String name) {
        // factory configurations made in the console are left to ConfigAdmin (see ConfigFiles.fileFor)
    }

    @Override
    public void deleteConfiguration(String factoryPid, String pid) throws IOException {
        Path file = files.delete(linkedFile(pid));
        if (file != null) {
            LOG.info("Configuration {} deleted in the web console; deleted {}", pid, file);
        }
    }
}
