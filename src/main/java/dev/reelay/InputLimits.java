package dev.reelay;

/**
 * How large a recording's values may be. A recording beyond a limit ends as a
 * {@link PipelineResult.Status#REJECTED} result whose reason names the field and the limit, and
 * nothing of it is uploaded or sent. The defaults keep a webhook well under a megabyte and every
 * id exact for every receiver:
 *
 * <pre>{@code
 * PipelineOptions options = PipelineOptions.builder()
 *         .s3(storage)
 *         .limits(InputLimits.builder()
 *                 .maxTitleLength(500)                 // the receiver's column is varchar(500)
 *                 .maxRecordingId(Long.MAX_VALUE)      // every receiver reads ids as strings or 64-bit integers
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>Lengths of text are counted in Unicode code points (an emoji is one), file names in UTF-8
 * bytes, as file systems count them.
 */
public final class InputLimits {

    /**
     * 2^53 − 1, the largest integer JavaScript's {@code Number} (and so {@code JSON.parse}) holds
     * exactly: above it, 9007199254740993 reads as 9007199254740992 and two recordings become one.
     */
    public static final long MAX_SAFE_JSON_INTEGER = 9_007_199_254_740_991L;

    private static final InputLimits DEFAULTS = builder().build();

    private final int maxTitleLength;
    private final int maxUsernameLength;
    private final int maxEmailLength;
    private final int maxFiles;
    private final int maxFileNameBytes;
    private final long maxRecordingId;

    private InputLimits(Builder b) {
        this.maxTitleLength = positive(b.maxTitleLength, "maxTitleLength");
        this.maxUsernameLength = positive(b.maxUsernameLength, "maxUsernameLength");
        this.maxEmailLength = positive(b.maxEmailLength, "maxEmailLength");
        this.maxFiles = positive(b.maxFiles, "maxFiles");
        this.maxFileNameBytes = positive(b.maxFileNameBytes, "maxFileNameBytes");
        if (maxFileNameBytes > 255) {
            throw new IllegalArgumentException("maxFileNameBytes must be at most 255 (file systems' limit), was "
                    + maxFileNameBytes);
        }
        if (b.maxRecordingId <= 0) {
            throw new IllegalArgumentException("maxRecordingId must be > 0, was " + b.maxRecordingId);
        }
        this.maxRecordingId = b.maxRecordingId;
    }

    private static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
        return value;
    }

    /** Title 16,384 code points, username 1,024, email 254, 100 files, file names 255 bytes, ids up to 2^53 − 1. */
    public static InputLimits defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        return new Builder().maxTitleLength(maxTitleLength).maxUsernameLength(maxUsernameLength)
                .maxEmailLength(maxEmailLength).maxFiles(maxFiles).maxFileNameBytes(maxFileNameBytes)
                .maxRecordingId(maxRecordingId);
    }

    /** The longest title, in code points. Default 16,384. */
    public int maxTitleLength() {
        return maxTitleLength;
    }

    /** The longest {@code user_info.username}, in code points. Default 1,024. */
    public int maxUsernameLength() {
        return maxUsernameLength;
    }

    /** The longest {@code user_info.email}, in code points. Default 254, the longest address RFC 5321 can carry. */
    public int maxEmailLength() {
        return maxEmailLength;
    }

    /** The most files a recording may have. Default 100. */
    public int maxFiles() {
        return maxFiles;
    }

    /** The longest file name, in UTF-8 bytes. Default and at most 255. */
    public int maxFileNameBytes() {
        return maxFileNameBytes;
    }

    /**
     * The largest {@code recording_id}. Default {@link #MAX_SAFE_JSON_INTEGER} (2^53 − 1), so that
     * receivers in JavaScript read every id exactly; raise it to {@code Long.MAX_VALUE} when every
     * receiver reads ids as 64-bit integers or strings.
     */
    public long maxRecordingId() {
        return maxRecordingId;
    }

    @Override
    public String toString() {
        return "InputLimits{maxTitleLength=" + maxTitleLength + ", maxUsernameLength=" + maxUsernameLength
                + ", maxEmailLength=" + maxEmailLength + ", maxFiles=" + maxFiles + ", maxFileNameBytes="
                + maxFileNameBytes + ", maxRecordingId=" + maxRecordingId + "}";
    }

    /** Collects the limits; {@link #build()} checks them. */
    public static final class Builder {
        private int maxTitleLength = 16_384;
        private int maxUsernameLength = 1_024;
        private int maxEmailLength = 254;
        private int maxFiles = 100;
        private int maxFileNameBytes = 255;
        private long maxRecordingId = MAX_SAFE_JSON_INTEGER;

        private Builder() {
        }

        public Builder maxTitleLength(int codePoints) {
            this.maxTitleLength = codePoints;
            return this;
        }

        public Builder maxUsernameLength(int codePoints) {
            this.maxUsernameLength = codePoints;
            return this;
        }

        public Builder maxEmailLength(int codePoints) {
            this.maxEmailLength = codePoints;
            return this;
        }

        public Builder maxFiles(int files) {
            this.maxFiles = files;
            return this;
        }

        public Builder maxFileNameBytes(int bytes) {
            this.maxFileNameBytes = bytes;
            return this;
        }

        /** E.g. {@code Long.MAX_VALUE} for receivers that read ids as 64-bit integers or strings. */
        public Builder maxRecordingId(long id) {
            this.maxRecordingId = id;
            return this;
        }

        public InputLimits build() {
            return new InputLimits(this);
        }
    }
}
