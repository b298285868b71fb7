package io.semel.verify.report;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Which Semel build wrote a report: the version Maven recorded in the verify jar. Stateless. */
final class ReportVersion {
    private static final String POM_PROPERTIES = "/META-INF/maven/io.semel/semel-verify/pom.properties";

    private ReportVersion() {
    }

    /** "Semel 0.1.0-SNAPSHOT", or a note that the classes did not come from a built jar. */
    static String describe() {
        try (InputStream in = ReportVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return "Semel " + p.getProperty("version", "(version unknown)");
            }
        } catch (IOException e) {
            return "Semel, version unreadable: " + e.getMessage();
        }
        return "Semel, development build (classes, not a jar)";
    }
}
