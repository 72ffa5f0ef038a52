package dev.reelay.internal.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The page's files, read from the jar once, when the dashboard is created (a thread that may block),
 * and served from memory: no file is read on an event loop. uPlot comes from its WebJar, at the
 * version this build was made with.
 */
final class Assets {

    /** One file: its bytes and its content type. */
    record Asset(byte[] bytes, String contentType) {
    }

    private static final String OWN = "/dev/reelay/dashboard/";

    private final Map<String, Asset> byName = new LinkedHashMap<>();
    private final byte[] index;

    Assets() {
        String uplot = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
        byName.put("app.js", new Asset(read(OWN + "app.js"), "text/javascript; charset=utf-8"));
        byName.put("app.css", new Asset(read(OWN + "app.css"), "text/css; charset=utf-8"));
        byName.put("uPlot.iife.min.js", new Asset(read(uplot + "uPlot.iife.min.js"), "text/javascript; charset=utf-8"));
        byName.put("uPlot.min.css", new Asset(read(uplot + "uPlot.min.css"), "text/css; charset=utf-8"));
        byName.put("favicon.svg", new Asset(read(OWN + "favicon.svg"), "image/svg+xml"));
        index = read(OWN + "index.html");
    }

    Asset get(String name) {
        return byName.get(name);
    }

    byte[] index() {
        return index;
    }

    private static String uplotVersion() {
        try (InputStream in = Assets.class.getResourceAsStream("/dev/reelay/reelay.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("uplot", "1.6.30");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath: the dashboard cannot be served");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
