package dev.reelay.examples;

import dev.reelay.webhook.WebhookEndpoint;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the examples run against, read from environment variables. Every variable is optional:
 * what is unset stays embedded (an in-process S3 server, an in-process receiver, a recording
 * made on the spot). A blank value counts as unset.
 *
 * <pre>
 * REELAY_S3_ENDPOINT      an S3-compatible endpoint, e.g. https://s3.us-west-1.idrivee2.com
 *                         (unset: the embedded S3Proxy; then bucket, region and keys apply to it)
 * REELAY_S3_REGION        default us-east-1
 * REELAY_S3_BUCKET        default reelay-demo (must exist on a real store)
 * REELAY_S3_ACCESS_KEY    both keys or neither; required with REELAY_S3_ENDPOINT
 * REELAY_S3_SECRET_KEY
 * REELAY_WEBHOOK_URL      the receiver, e.g. https://ops.example.com/recordings/webhook/
 *                         (unset: the embedded DemoReceiver)
 * REELAY_WEBHOOK_SECRET   whsec_… : requests are signed (Standard Webhooks)
 * REELAY_WEBHOOK_TOKEN    sent as Authorization: Bearer …
 * REELAY_RECORDING_DIR    a folder with video.mkv, optionally transcript.txt and thumbnail.jpg
 * REELAY_RECORDING_ID     a positive number, default 999 (the original system's test recording)
 * REELAY_RECORDING_TITLE  default "Reelay QuickStart"
 * REELAY_USER_EMAIL       default demo@example.com; the receiver matches the user by it
 * REELAY_USER_NAME        default demo
 * </pre>
 *
 * <pre>{@code
 * QuickStartConfig config = QuickStartConfig.fromEnvironment(System.getenv());
 * }</pre>
 *
 * <p>{@link #toString()} and {@link #describe()} never show a secret key, a webhook secret or
 * a token: only {@code (set)}.
 */
public final class QuickStartConfig {

    public static final String S3_ENDPOINT = "REELAY_S3_ENDPOINT";
    public static final String S3_REGION = "REELAY_S3_REGION";
    public static final String S3_BUCKET = "REELAY_S3_BUCKET";
    public static final String S3_ACCESS_KEY = "REELAY_S3_ACCESS_KEY";
    public static final String S3_SECRET_KEY = "REELAY_S3_SECRET_KEY";
    public static final String WEBHOOK_URL = "REELAY_WEBHOOK_URL";
    public static final String WEBHOOK_SECRET = "REELAY_WEBHOOK_SECRET";
    public static final String WEBHOOK_TOKEN = "REELAY_WEBHOOK_TOKEN";
    public static final String RECORDING_DIR = "REELAY_RECORDING_DIR";
    public static final String RECORDING_ID = "REELAY_RECORDING_ID";
    public static final String RECORDING_TITLE = "REELAY_RECORDING_TITLE";
    public static final String USER_EMAIL = "REELAY_USER_EMAIL";
    public static final String USER_NAME = "REELAY_USER_NAME";

    static final String DEFAULT_REGION = "us-east-1";
    static final String DEFAULT_BUCKET = "reelay-demo";
    static final long DEFAULT_RECORDING_ID = 999;
    static final String DEFAULT_TITLE = "Reelay QuickStart";
    static final String DEFAULT_EMAIL = "demo@example.com";
    static final String DEFAULT_USER_NAME = "demo";

    /** The same rule as the pipeline's validation, so that a typo is reported before anything starts. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    /** S3's bucket naming rules, short form: 3–63 of a-z 0-9 . -, starting and ending with a letter or digit. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[A-Za-z0-9_-]+");

    private final URI s3Endpoint;
    private final String s3Region;
    private final String s3Bucket;
    private final String s3AccessKey;
    private final String s3SecretKey;
    private final String webhookUrl;
    private final String webhookSecret;
    private final String webhookToken;
    private final Path recordingDir;
    private final long recordingId;
    private final String recordingTitle;
    private final String userEmail;
    private final String userName;
    private final Set<String> setVariables;

    private QuickStartConfig(Reader r) {
        this.s3Endpoint = r.s3Endpoint;
        this.s3Region = r.s3Region;
        this.s3Bucket = r.s3Bucket;
        this.s3AccessKey = r.s3AccessKey;
        this.s3SecretKey = r.s3SecretKey;
        this.webhookUrl = r.webhookUrl;
        this.webhookSecret = r.webhookSecret;
        this.webhookToken = r.webhookToken;
        this.recordingDir = r.recordingDir;
        this.recordingId = r.recordingId;
        this.recordingTitle = r.recordingTitle;
        this.userEmail = r.userEmail;
        this.userName = r.userName;
        this.setVariables = Set.copyOf(r.setVariables);
    }

    /** Everything embedded, nothing configured. */
    public static QuickStartConfig defaults() {
        return fromEnvironment(Map.of());
    }

    /**
     * Reads the {@code REELAY_*} variables of {@code env}; others are ignored.
     *
     * @throws IllegalArgumentException naming every variable whose value is malformed (one
     *                                  line each); the message never holds a secret
     */
    public static QuickStartConfig fromEnvironment(Map<String, String> env) {
        Reader reader = new Reader(env);
        reader.read();
        if (!reader.problems.isEmpty()) {
            throw new IllegalArgumentException(String.join(System.lineSeparator(), reader.problems));
        }
        return new QuickStartConfig(reader);
    }

    /** The S3-compatible endpoint to use, or empty for the embedded S3Proxy. */
    public Optional<URI> s3Endpoint() {
        return Optional.ofNullable(s3Endpoint);
    }

    public String s3Region() {
        return s3Region;
    }

    public String s3Bucket() {
        return s3Bucket;
    }

    /** The access key; empty when unset (the embedded S3Proxy then makes up a key pair). */
    public Optional<String> s3AccessKey() {
        return Optional.ofNullable(s3AccessKey);
    }

    /** The secret key, present exactly when {@link #s3AccessKey()} is. Never print it. */
    public Optional<String> s3SecretKey() {
        return Optional.ofNullable(s3SecretKey);
    }

    /** The receiver's URL, or empty for the embedded DemoReceiver. It may carry credentials: never print it. */
    public Optional<String> webhookUrl() {
        return Optional.ofNullable(webhookUrl);
    }

    /** The {@code whsec_} signing secret. Never print it. */
    public Optional<String> webhookSecret() {
        return Optional.ofNullable(webhookSecret);
    }

    /** The bearer token. Never print it. */
    public Optional<String> webhookToken() {
        return Optional.ofNullable(webhookToken);
    }

    /** A folder holding {@code video.mkv}, or empty to make a recording on the spot. */
    public Optional<Path> recordingDir() {
        return Optional.ofNullable(recordingDir);
    }

    public long recordingId() {
        return recordingId;
    }

    public String recordingTitle() {
        return recordingTitle;
    }

    public String userEmail() {
        return userEmail;
    }

    public String userName() {
        return userName;
    }

    /**
     * One line per variable that was set, {@code NAME  value}, with {@code (set)} in place of
     * every secret and the webhook URL without credentials or query string.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        line(lines, S3_ENDPOINT, s3Endpoint == null ? null : s3Endpoint.toString());
        line(lines, S3_REGION, s3Region);
        line(lines, S3_BUCKET, s3Bucket);
        line(lines, S3_ACCESS_KEY, s3AccessKey);
        line(lines, S3_SECRET_KEY, s3SecretKey == null ? null : "(set)");
        line(lines, WEBHOOK_URL, webhookUrl == null ? null : displayUrl(webhookUrl));
        line(lines, WEBHOOK_SECRET, webhookSecret == null ? null : "(set)");
        line(lines, WEBHOOK_TOKEN, webhookToken == null ? null : "(set)");
        line(lines, RECORDING_DIR, recordingDir == null ? null : recordingDir.toString());
        line(lines, RECORDING_ID, Long.toString(recordingId));
        line(lines, RECORDING_TITLE, recordingTitle);
        line(lines, USER_EMAIL, userEmail);
        line(lines, USER_NAME, userName);
        return lines;
    }

    private void line(List<String> lines, String name, String shown) {
        if (setVariables.contains(name)) {
            lines.add(String.format(Locale.ROOT, "%-23s %s", name, shown));
        }
    }

    /** A URL as it may be shown: without user info, query string or fragment (which may hold credentials). */
    static String displayUrl(String url) {
        String shown = url;
        for (char cut : new char[] {'?', '#'}) {
            int at = shown.indexOf(cut);
            if (at >= 0) {
                shown = shown.substring(0, at);
            }
        }
        int scheme = shown.indexOf("://");
        int userInfoEnd = shown.lastIndexOf('@');
        if (scheme >= 0 && userInfoEnd > scheme) {
            shown = shown.substring(0, scheme + 3) + shown.substring(userInfoEnd + 1);
        }
        return shown;
    }

    @Override
    public String toString() {
        return "QuickStartConfig" + describe();
    }

    /** Reads and checks the variables, collecting every problem instead of stopping at the first. */
    private static final class Reader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();
        private final Set<String> setVariables = new HashSet<>();

        URI s3Endpoint;
        String s3Region;
        String s3Bucket;
        String s3AccessKey;
        String s3SecretKey;
        String webhookUrl;
        String webhookSecret;
        String webhookToken;
        Path recordingDir;
        long recordingId;
        String recordingTitle;
        String userEmail;
        String userName;

        Reader(Map<String, String> env) {
            this.env = env;
        }

        void read() {
            s3Endpoint = readS3Endpoint();
            s3Region = value(S3_REGION).orElse(DEFAULT_REGION);
            if (!REGION.matcher(s3Region).matches()) {
                problems.add(S3_REGION + " must be a region name such as us-west-1, was '" + s3Region + "'");
            }
            s3Bucket = value(S3_BUCKET).orElse(DEFAULT_BUCKET);
            if (!BUCKET.matcher(s3Bucket).matches()) {
                problems.add(S3_BUCKET + " must be a bucket name (3 to 63 of a-z, 0-9, '.', '-'), was '"
                        + s3Bucket + "'");
            }
            readKeyPair();
            readWebhook();
            recordingDir = readRecordingDir();
            recordingId = readRecordingId();
            recordingTitle = value(RECORDING_TITLE).orElse(DEFAULT_TITLE);
            userEmail = value(USER_EMAIL).orElse(DEFAULT_EMAIL);
            if (!EMAIL.matcher(userEmail).matches()) {
                problems.add(USER_EMAIL + " must be an email address such as demo@example.com, was '"
                        + userEmail + "'");
            }
            userName = value(USER_NAME).orElse(DEFAULT_USER_NAME);
        }

        private Optional<String> value(String name) {
            String v = env.get(name);
            if (v == null || v.isBlank()) {
                return Optional.empty();
            }
            setVariables.add(name);
            return Optional.of(v.strip());
        }

        private URI readS3Endpoint() {
            Optional<String> value = value(S3_ENDPOINT);
            if (value.isEmpty()) {
                return null;
            }
            URI uri = httpUrl(S3_ENDPOINT, value.get(), true);
            if (uri != null && (uri.getRawQuery() != null || uri.getRawFragment() != null)) {
                problems.add(S3_ENDPOINT + " must not have a query string or fragment, was " + displayUrl(value.get()));
                return null;
            }
            return uri;
        }

        private void readKeyPair() {
            s3AccessKey = value(S3_ACCESS_KEY).orElse(null);
            s3SecretKey = value(S3_SECRET_KEY).orElse(null);
            if (s3AccessKey != null && s3SecretKey == null) {
                problems.add(S3_ACCESS_KEY + " is set but " + S3_SECRET_KEY + " is not: set both or neither");
            } else if (s3AccessKey == null && s3SecretKey != null) {
                problems.add(S3_SECRET_KEY + " is set but " + S3_ACCESS_KEY + " is not: set both or neither");
            } else if (s3AccessKey == null && value(S3_ENDPOINT).isPresent()) {
                problems.add(S3_ENDPOINT + " is set, so " + S3_ACCESS_KEY + " and " + S3_SECRET_KEY
                        + " are needed too");
            }
        }

        private void readWebhook() {
            webhookUrl = value(WEBHOOK_URL).orElse(null);
            if (webhookUrl != null) {
                URI uri = httpUrl(WEBHOOK_URL, webhookUrl, false);
                if (uri == null) {
                    webhookUrl = null;
                }
            }
            webhookSecret = value(WEBHOOK_SECRET).orElse(null);
            if (webhookSecret != null) {
                try {
                    // The library's own check: whsec_ followed by base64 of at least 16 bytes.
                    WebhookEndpoint.builder("https://example.com/").secret(webhookSecret);
                } catch (IllegalArgumentException e) {
                    problems.add(WEBHOOK_SECRET + " is malformed: " + e.getMessage());
                }
            }
            webhookToken = value(WEBHOOK_TOKEN).orElse(null);
        }

        /**
         * An http(s) URL with a host; plain http only to loopback unless {@code httpAnywhere}.
         * Adds a problem and answers null when it is not one.
         */
        private URI httpUrl(String name, String value, boolean httpAnywhere) {
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                problems.add(name + " is not a valid URL: " + displayUrl(value));
                return null;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                problems.add(name + " must be an http:// or https:// URL with a host, was " + displayUrl(value));
                return null;
            }
            if (uri.getRawUserInfo() != null) {
                problems.add(name + " must not carry credentials in the URL; use the key or token variables");
                return null;
            }
            if (!httpAnywhere && scheme.equals("http") && !isLoopback(uri.getHost())) {
                problems.add(name + " is plain http to " + uri.getHost() + ": use https (plain http is accepted "
                        + "for 127.0.0.1 and localhost only)");
                return null;
            }
            return uri;
        }

        private static boolean isLoopback(String host) {
            String h = host.toLowerCase(Locale.ROOT);
            return h.equals("localhost") || h.matches("127(\\.\\d{1,3}){3}") || h.equals("[::1]");
        }

        private Path readRecordingDir() {
            Optional<String> value = value(RECORDING_DIR);
            if (value.isEmpty()) {
                return null;
            }
            Path dir;
            try {
                dir = Path.of(value.get());
            } catch (InvalidPathException e) {
                problems.add(RECORDING_DIR + " is not a valid path: " + value.get());
                return null;
            }
            if (!Files.isDirectory(dir)) {
                problems.add(RECORDING_DIR + " must be an existing folder, but " + dir
                        + (Files.exists(dir) ? " is not a folder" : " does not exist"));
                return null;
            }
            if (!Files.isRegularFile(dir.resolve("video.mkv"))) {
                problems.add(RECORDING_DIR + " must hold a video.mkv, but " + dir + " has none");
                return null;
            }
            return dir;
        }

        private long readRecordingId() {
            Optional<String> value = value(RECORDING_ID);
            if (value.isEmpty()) {
                return DEFAULT_RECORDING_ID;
            }
            try {
                long id = Long.parseLong(value.get());
                if (id > 0) {
                    return id;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add(RECORDING_ID + " must be a positive whole number (the receiver upserts on it), was '"
                    + value.get() + "'");
            return DEFAULT_RECORDING_ID;
        }
    }
}
