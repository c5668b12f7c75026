package dev.strata.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The subset of a Karaf features repository ({@code features.xml}) that the launcher acts on: features with their
 * bundles (in document order), the features they depend on, and their configuration files.
 *
 * <p>The launcher has no resolver: it installs exactly the features {@code etc/features.cfg} boots and the plain
 * {@code <feature>} dependencies they name. A {@code <feature dependency="true">} is a candidate that a resolving
 * container (Karaf) installs only when nothing installed provides what the bundles require (Karaf's {@code scr},
 * or a default store); the launcher skips it, so the distribution boots its providers explicitly.
 * {@code <requirement>}, {@code <capability>}, {@code <conditional>}, {@code <config>} and the {@code prerequisite}
 * and {@code start-level} attributes are for such a container and are ignored here.
 *
 * <p>Immutable after {@link #read}, so thread-safe.
 */
final class FeaturesRepository {

    /** One {@code <bundle>}: its URL, and whether the launcher starts it ({@code start="false"} opts out). */
    record BundleRef(String url, boolean start) { }

    /** One {@code <configfile finalname="/etc/x.cfg" override="false">url</configfile>}. */
    record ConfigFile(String url, String finalName, boolean override) { }

    record Feature(String name, String version, List<String> dependencies, List<BundleRef> bundles,
                   List<ConfigFile> configFiles) { }

    /** The bundles and configuration files of a set of features and everything they depend on. */
    record Resolution(List<String> features, List<BundleRef> bundles, List<ConfigFile> configFiles) { }

    private final Map<String, Feature> features;

    private FeaturesRepository(Map<String, Feature> features) {
        this.features = features;
    }

    /** A repository over features already read, e.g. the union of several files. */
    static FeaturesRepository of(Map<String, Feature> features) {
        return new FeaturesRepository(new LinkedHashMap<>(features));
    }

    static FeaturesRepository read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    static FeaturesRepository read(InputStream in, String source) throws IOException {
        Element root;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler()); // report through the exception, not stderr
            root = builder.parse(in, source).getDocumentElement();
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("Cannot parse features repository " + source + ": " + e.getMessage(), e);
        }
        if (!"features".equals(root.getLocalName())) {
            throw new IOException("Not a features repository (root element is <" + root.getLocalName() + ">): " + source);
        }
        Map<String, Feature> features = new LinkedHashMap<>();
        for (Element element : children(root, "feature")) {
            Feature feature = parseFeature(element, source);
            if (features.putIfAbsent(feature.name(), feature) != null) {
                throw new IOException("Feature " + feature.name() + " is declared twice in " + source);
            }
        }
        return new FeaturesRepository(features);
    }

    private static Feature parseFeature(Element element, String source) throws IOException {
        String name = element.getAttribute("name").trim();
        if (name.isEmpty()) {
            throw new IOException("A <feature> without a name in " + source);
        }
        List<String> dependencies = new ArrayList<>();
        for (Element dependency : children(element, "feature")) {
            if (!"true".equals(dependency.getAttribute("dependency").trim())) {
                dependencies.add(dependency.getTextContent().trim());
            }
        }
        List<BundleRef> bundles = new ArrayList<>();
        for (Element bundle : children(element, "bundle")) {
            bundles.add(new BundleRef(bundle.getTextContent().trim(), !"false".equals(bundle.getAttribute("start").trim())));
        }
        List<ConfigFile> configFiles = new ArrayList<>();
        for (Element configFile : children(element, "configfile")) {
            String finalName = configFile.getAttribute("finalname").trim();
            if (finalName.isEmpty()) {
                throw new IOException("<configfile> without finalname in feature " + name + " of " + source);
            }
            configFiles.add(new ConfigFile(configFile.getTextContent().trim(), finalName,
                    "true".equals(configFile.getAttribute("override").trim())));
        }
        return new Feature(name, element.getAttribute("version").trim(), List.copyOf(dependencies),
                List.copyOf(bundles), List.copyOf(configFiles));
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element child && localName.equals(child.getLocalName())) {
                result.add(child);
            }
        }
        return result;
    }

    /** The features by name, in document order. */
    Map<String, Feature> features() {
        return Collections.unmodifiableMap(features);
    }

    /**
     * Resolves the named features: dependencies come before the features that need them, and every bundle and
     * configuration file appears once, at its first position.
     *
     * @throws IllegalArgumentException naming the feature that does not exist or the dependency cycle
     */
    Resolution resolve(List<String> names) {
        Set<String> ordered = new LinkedHashSet<>();
        for (String name : names) {
            visit(name, ordered, new LinkedHashSet<>());
        }
        Map<String, BundleRef> bundles = new LinkedHashMap<>();
        Map<String, ConfigFile> configFiles = new LinkedHashMap<>();
        for (String name : ordered) {
            Feature feature = features.get(name);
            feature.bundles().forEach(b -> bundles.putIfAbsent(b.url(), b));
            feature.configFiles().forEach(c -> configFiles.putIfAbsent(c.finalName(), c));
        }
        return new Resolution(List.copyOf(ordered), List.copyOf(bundles.values()), List.copyOf(configFiles.values()));
    }

    private void visit(String name, Set<String> ordered, Set<String> path) {
        if (ordered.contains(name)) {
            return;
        }
        Feature feature = features.get(name);
        if (feature == null) {
            throw new IllegalArgumentException("No feature named '" + name + "' (known: " + features.keySet() + ")");
        }
        if (!path.add(name)) {
            throw new IllegalArgumentException("Features depend on each other in a cycle: " + path + " -> " + name);
        }
        for (String dependency : feature.dependencies()) {
            visit(dependency, ordered, path);
        }
        path.remove(name);
        ordered.add(name);
    }
}
