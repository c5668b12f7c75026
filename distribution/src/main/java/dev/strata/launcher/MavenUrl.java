package dev.strata.launcher;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@code mvn:groupId/artifactId/version[/type[/classifier]]} URL as Karaf writes them, mapped to a file in
 * a local directory laid out like a Maven repository ({@code system/} in the distribution).
 *
 * <p>Immutable, so thread-safe.
 */
record MavenUrl(String groupId, String artifactId, String version, String type, String classifier) {

    private static final String SCHEME = "mvn:";

    MavenUrl {
        Objects.requireNonNull(groupId);
        Objects.requireNonNull(artifactId);
        Objects.requireNonNull(version);
        Objects.requireNonNull(type);
    }

    /** Parses a mvn: URL; a remote repository prefix ({@code mvn:http://repo!g/a/v}) is not supported. */
    static MavenUrl parse(String url) {
        String text = url.trim();
        if (!text.startsWith(SCHEME)) {
            throw new IllegalArgumentException("Not a mvn: URL: " + url);
        }
        String coordinates = text.substring(SCHEME.length());
        if (coordinates.contains("!")) {
            throw new IllegalArgumentException("Repository prefixes are not supported (bundles come from system/): " + url);
        }
        String[] parts = coordinates.split("/", -1);
        if (parts.length < 3 || parts.length > 5) {
            throw new IllegalArgumentException("Expected mvn:groupId/artifactId/version[/type[/classifier]]: " + url);
        }
        for (int i = 0; i < parts.length; i++) {
            // An empty type means the default (jar); every other part must be given.
            if (parts[i].isEmpty() && i != 3) {
                throw new IllegalArgumentException("Empty coordinate in " + url);
            }
            if (parts[i].contains("..") || parts[i].contains("\\")) {
                throw new IllegalArgumentException("Illegal coordinate in " + url);
            }
        }
        String type = parts.length > 3 && !parts[3].isEmpty() ? parts[3] : "jar";
        String classifier = parts.length > 4 ? parts[4] : null;
        return new MavenUrl(parts[0], parts[1], parts[2], type, classifier);
    }

    /** The path of this artifact below a repository root, e.g. {@code org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar}. */
    Path relativePath() {
        String fileName = artifactId + "-" + version + (classifier == null ? "" : "-" + classifier) + "." + type;
        return Path.of(groupId.replace('.', '/'), artifactId, version, fileName);
    }

    /** Resolves this artifact in the repository at {@code repository}. */
    Path resolveIn(Path repository) {
        return repository.resolve(relativePath());
    }

    @Override
    public String toString() {
        return SCHEME + groupId + "/" + artifactId + "/" + version
                + (classifier == null ? (type.equals("jar") ? "" : "/" + type) : "/" + type + "/" + classifier);
    }
}
