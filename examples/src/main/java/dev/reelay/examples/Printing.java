package dev.reelay.examples;

import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reelay.FileOutcome;
import dev.reelay.PipelineResult;
import dev.reelay.webhook.ReceiverReply;
import dev.reelay.webhook.WebhookEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** What the examples print: pretty JSON, sizes, headers without secrets, the summary table. */
final class Printing {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code "name": value}, two spaces of indent: the way people write JSON by hand. */
    private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    private Printing() {
    }

    static void section(PrintStream out, String title) {
        out.println();
        out.println("== " + title);
    }

    /** The JSON document re-indented, each line prefixed with {@code indent}; as it is when not JSON. */
    static String prettyJson(String json, String indent) {
        String pretty;
        try {
            JsonNode node = JSON.readTree(json);
            pretty = node == null ? json : PRETTY.writeValueAsString(node);
        } catch (IOException e) {
            pretty = json;
        }
        return indent + pretty.strip().replace("\n", System.lineSeparator() + indent);
    }

    static String prettyJson(byte[] json, String indent) {
        return prettyJson(new String(json, StandardCharsets.UTF_8), indent);
    }

    /** The receiver's parsed answer as JSON, in the receiver's own field names; absent fields left out. */
    static String replyJson(ReceiverReply reply) {
        ObjectNode node = JSON.createObjectNode();
        if (reply.status() != null) {
            node.put("status", reply.status());
        }
        if (reply.message() != null) {
            node.put("message", reply.message());
        }
        if (reply.recordingId() != null) {
            node.put("recording_id", reply.recordingId());
        }
        if (reply.pk() != null) {
            node.put("pk", reply.pk());
        }
        if (reply.action() != null) {
            node.put("action", reply.action());
        }
        return node.toString();
    }

    /**
     * A header as it may be shown: a signature cut short (enough to compare by eye), a bearer
     * token never.
     */
    static String safeHeader(String name, String value) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("authorization")) {
            return value.startsWith("Bearer ") ? "Bearer (set)" : "(set)";
        }
        if (n.equals("webhook-signature")) {
            List<String> shown = new ArrayList<>();
            for (String signature : value.split(" ")) {
                shown.add(signature.length() > 14 ? signature.substring(0, 14) + "…(truncated)" : signature);
            }
            return String.join(" ", shown);
        }
        return value;
    }

    static void headers(PrintStream out, List<Map.Entry<String, String>> headers, String indent) {
        for (Map.Entry<String, String> h : headers) {
            out.println(indent + h.getKey() + ": " + safeHeader(h.getKey(), h.getValue()));
        }
    }

    /**
     * The request Reelay sends to an endpoint, as far as it can be known from outside: the
     * timestamp and signature of each attempt are made when it is sent, and not reported back.
     */
    static void sentRequest(PrintStream out, WebhookEndpoint endpoint, String webhookId, byte[] body) {
        out.println("  POST " + endpoint.displayUrl());
        out.println("  Content-Type: application/json");
        out.println("  Accept: application/json");
        out.println("  User-Agent: " + userAgent());
        out.println("  webhook-id: " + webhookId);
        out.println("  webhook-timestamp: (the time of each attempt, in Unix seconds)");
        if (!endpoint.signingKeys().isEmpty()) {
            out.println("  webhook-signature: v1,… (HMAC-SHA256 of id.timestamp.body with the whsec_ secret)");
        }
        if (endpoint.bearerToken().isPresent()) {
            out.println("  Authorization: Bearer (set)");
        }
        out.println();
        out.println(prettyJson(body, "  "));
    }

    /**
     * {@code Reelay/<version> (Java <n>)}, as Reelay names itself; the version is the one these
     * examples were built against (Reelay does not publish its own).
     */
    static String userAgent() {
        String version = "unknown";
        try (InputStream in = Printing.class.getResourceAsStream("examples.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("reelay.version", version);
            }
        } catch (IOException e) {
            // the version is only shown
        }
        return "Reelay/" + version + " (Java " + Runtime.version().feature() + ")";
    }

    /** {@code 412 B}, {@code 1.1 KiB}, {@code 3.8 MiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** One row per file, metadata.json included: name, size, attempts, and the URL or the error. */
    static void fileTable(PrintStream out, PipelineResult result) {
        List<FileOutcome> files = new ArrayList<>(result.files());
        result.metadataFile().ifPresent(files::add);
        String format = "  %-16s %-10s %-9s %s%n";
        out.printf(Locale.ROOT, format, "FILE", "SIZE", "ATTEMPTS", "URL");
        for (FileOutcome f : files) {
            out.printf(Locale.ROOT, format, f.name(), size(f.size()), f.attempts(),
                    f.stored() ? f.url() : "NOT STORED: " + f.error());
        }
    }
}
