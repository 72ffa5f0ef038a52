package dev.reelay.internal.webhook;

import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text a receiver sent, made into data that is safe to log, show and journal: anything shaped like
 * a credential masked, every character that could end a log line, hide text or turn it around
 * escaped as {@code \}{@code uXXXX}, and the length bounded. Applying it twice changes nothing.
 */
public final class ReceiverText {

    /** Receiver text in log lines, results' reasons, errors and exception messages. */
    public static final int SHOWN = 1024;
    /** Receiver text where the attempt is recorded ({@code ReceiverReply.message}, the journal). */
    public static final int RECORDED = 8 * 1024;
    /** Short fields of a reply ({@code status}, {@code action}). */
    public static final int SHORT = 256;

    private static final String MASK = "***";
    /** Authorization header values, as a receiver that echoes headers shows them. */
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "(?i)(\\bauthorization\\b[\"']?+\\s*+[:=]\\s*+[\"']?+)(?!\\*\\*\\*)[^\\s\"',;}\\]][^\"'\\r\\n,;}\\]]*");
    /** {@code Bearer xxx} and {@code Basic xxx} wherever they stand. */
    private static final Pattern SCHEME = Pattern.compile("(?i)\\b(bearer|basic)(\\s++)(?!\\*\\*\\*)[A-Za-z0-9._~+/=-]+");
    private static final Pattern WHSEC = Pattern.compile("(?i)\\bwhsec_(?!\\*\\*\\*)[A-Za-z0-9+/=_-]*");
    /** A Standard Webhooks signature ({@code v1,} + base64 of 32 bytes). */
    private static final Pattern SIGNATURE = Pattern.compile("\\bv1,(?!\\*\\*\\*)[A-Za-z0-9+/]{20,}={0,2}");
    /** The signing parts of a presigned URL, should a receiver echo the payload. */
    private static final Pattern PRESIGNED = Pattern.compile(
            "(?i)(X-Amz-(?:Signature|Credential|Security-Token)=)(?!\\*\\*\\*)[^&\\s\"'<>]+");

    private ReceiverText() {
    }

    /** {@code text} masked, escaped and cut to {@code max} characters; null stays null. */
    public static String clean(String text, int max) {
        return clean(text, max, java.util.List.of());
    }

    /**
     * Like {@link #clean(String, int)}, with {@code secrets} (a token, a URL's secret path) masked
     * wherever they occur, first.
     */
    public static String clean(String text, int max, Collection<String> secrets) {
        if (text == null) {
            return null;
        }
        String s = text;
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 4) {
                s = s.replace(secret, MASK);
            }
        }
        s = mask(s);
        return bound(escape(s), max);
    }

    static String mask(String s) {
        s = AUTHORIZATION.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        s = SCHEME.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
        s = WHSEC.matcher(s).replaceAll("whsec_" + MASK);
        s = SIGNATURE.matcher(s).replaceAll("v1," + MASK);
        return PRESIGNED.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    }

    /** Control characters, line and paragraph separators, bidi controls and lone surrogates as {@code \}{@code uXXXX}. */
    static String escape(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                if (sb != null) {
                    sb.append(c).append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (unsafe(c)) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                sb.append(String.format("\\u%04x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0)
                || c == '\u2028' || c == '\u2029'
                || c == '\u061c' || c == '\u200e' || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || Character.isSurrogate(c);
    }

    /** At most {@code max} characters, the last of them {@code …} when cut; a surrogate pair is never split. */
    static String bound(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }
}
