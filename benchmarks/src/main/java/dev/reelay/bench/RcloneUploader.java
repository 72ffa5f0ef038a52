package dev.reelay.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * rclone, the tool most people reach for to copy a directory to S3: {@code rclone copy --transfers 8}, with the S3
 * remote defined by environment variables alone (no config file of the user's is read or written).
 */
final class RcloneUploader extends ToolUploader {

    static final int TRANSFERS = 8;
    private static final String REMOTE = "bench";

    private final S3Endpoint s3;

    RcloneUploader(ExternalTool rclone, S3Endpoint s3, Path source, Path scratch) {
        super(rclone, source, scratch);
        this.s3 = s3;
    }

    /** rclone as this machine has it, or a missing tool. */
    static ExternalTool find() {
        return ExternalTool.find("rclone", "rclone", List.of(), "apt-get install rclone");
    }

    @Override
    public String description() {
        return tool().version() + ": `rclone copy --transfers " + TRANSFERS + " <dir> " + REMOTE + ":" + S3ServerMain.BUCKET
                + "`, the remote set by environment variables (type s3, provider Other, endpoint, keys, region, "
                + "force_path_style), its other settings its defaults (single PUTs below 200 MiB, an MD5 of each file); "
                + "upload only: no metadata.json, no webhook";
    }

    @Override
    List<String> arguments(Path source) {
        return List.of("copy", "--transfers", Integer.toString(TRANSFERS), source.toString(),
                REMOTE + ":" + S3ServerMain.BUCKET);
    }

    @Override
    Map<String, String> environment(Path scratch) {
        String prefix = "RCLONE_CONFIG_" + REMOTE.toUpperCase(Locale.ROOT) + "_";
        return Map.of(
                // An empty file of the run's: rclone neither reads the user's config nor warns that there is none.
                "RCLONE_CONFIG", write(scratch.resolve("rclone.conf"), "").toString(),
                prefix + "TYPE", "s3",
                prefix + "PROVIDER", "Other",
                prefix + "ENDPOINT", s3.uri().toString(),
                prefix + "ACCESS_KEY_ID", S3ServerMain.ACCESS_KEY,
                prefix + "SECRET_ACCESS_KEY", S3ServerMain.SECRET_KEY,
                prefix + "REGION", S3ServerMain.REGION,
                prefix + "FORCE_PATH_STYLE", "true");
    }
}
