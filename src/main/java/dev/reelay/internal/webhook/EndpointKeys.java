package dev.reelay.internal.webhook;

import dev.reelay.webhook.WebhookEndpoint;
import java.net.URI;
import java.util.List;

/** How the journal knows an endpoint: its {@link WebhookEndpoint#displayName()}. */
public final class EndpointKeys {

    private EndpointKeys() {
    }

    /**
     * The journal's key of the endpoint a host names by its name, its URL (full, or without
     * credentials and query string) or its display URL; for an endpoint no longer configured,
     * the URL without credentials and query string, as the journal kept it before names existed.
     */
    public static String of(List<WebhookEndpoint> endpoints, String given) {
        String g = given.trim();
        URI uri = parse(g);
        for (WebhookEndpoint e : endpoints) {
            if (g.equals(e.displayName()) || g.equals(e.displayUrl()) || g.equals(e.url().toString())
                    || (uri != null && !e.hasSecretPath() && Redaction.url(uri).equals(e.displayUrl()))) {
                return e.displayName();
            }
        }
        return uri == null ? g : Redaction.url(uri);
    }

    private static URI parse(String s) {
        try {
            URI uri = URI.create(s);
            return uri.getScheme() == null || uri.getHost() == null ? null : uri;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
