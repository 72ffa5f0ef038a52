package dev.reelay.internal.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Standard Webhooks signatures: {@code v1,} + base64 HMAC-SHA256 of {@code id.timestamp.body}. */
public final class Signatures {

    private Signatures() {
    }

    /** The {@code webhook-signature} header value: one {@code v1,…} per key, space-separated. */
    public static String header(List<byte[]> keys, String id, long timestamp, byte[] body) {
        StringBuilder sb = new StringBuilder();
        for (byte[] key : keys) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append("v1,").append(Base64.getEncoder().encodeToString(hmac(key, id, timestamp, body)));
        }
        return sb.toString();
    }

    /**
     * The key of a secret, {@code whsec_} followed by base64 or the base64 alone (as the official
     * libraries take it), with messages that never echo the secret.
     */
    public static byte[] decodeSecret(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("secret must be set and not blank");
        }
        String base64 = secret.strip();
        if (base64.startsWith("whsec_")) {
            base64 = base64.substring("whsec_".length());
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret is base64, optionally after 'whsec_'; this one is not base64");
        }
        if (key.length < 16) {
            throw new IllegalArgumentException("a webhook secret must hold at least 16 bytes, this one holds " + key.length);
        }
        return key;
    }

    /** Whether any {@code v1,} signature of the header matches any key; compared in constant time. */
    public static boolean matches(List<byte[]> keys, String id, long timestamp, byte[] body, String header) {
        boolean match = false;
        for (byte[] key : keys) {
            byte[] expected = hmac(key, id, timestamp, body);
            for (String part : header.trim().split(" +")) {
                if (!part.startsWith("v1,")) {
                    continue;
                }
                byte[] given;
                try {
                    given = Base64.getDecoder().decode(part.substring(3));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                match |= MessageDigest.isEqual(expected, given);
            }
        }
        return match;
    }

    public static byte[] hmac(byte[] key, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** A stable id for the same recording and body: receivers drop duplicates by it. */
    public static String webhookId(long recordingId, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Long.toString(recordingId).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) '\n');
            byte[] digest = sha.digest(body);
            StringBuilder sb = new StringBuilder("msg_");
            for (int i = 0; i < 16; i++) {
                sb.append(Character.forDigit((digest[i] >> 4) & 0xf, 16)).append(Character.forDigit(digest[i] & 0xf, 16));
            }
            return sb.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
