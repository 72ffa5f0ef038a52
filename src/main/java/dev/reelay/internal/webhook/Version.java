package dev.reelay.internal.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Reelay's version, from the properties Maven writes at build time. */
public final class Version {

    public static final String VERSION = read();

    private Version() {
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/dev/reelay/reelay.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            // fall through: the version is only informative
        }
        return "dev";
    }

    public static String userAgent() {
        return "Reelay/" + VERSION + " (Java " + Runtime.version().feature() + ")";
    }
}
