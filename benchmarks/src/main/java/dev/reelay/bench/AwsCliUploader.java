package dev.reelay.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The AWS CLI: {@code aws s3 cp --recursive} with 8 concurrent requests, path-style addressing, its defaults
 * otherwise (multipart from 8 MiB in parts of 8 MiB), configured by a config file of the run's.
 */
final class AwsCliUploader extends ToolUploader {

    static final int CONCURRENT_REQUESTS = 8;

    private final S3Endpoint s3;

    AwsCliUploader(ExternalTool aws, S3Endpoint s3, Path source, Path scratch) {
        super(aws, source, scratch);
        this.s3 = s3;
    }

    /**
     * Debian's AWS CLI, {@code /usr/bin/aws}, and not whatever {@code aws} comes first on PATH (here a Python
     * environment's AWS CLI 1, another tool); {@code -Dbench.aws=/path} picks another.
     */
    static ExternalTool find() {
        return ExternalTool.find("aws-cli", "aws", List.of(Path.of("/usr/bin/aws")),
                "apt-get install awscli (for /usr/bin/aws)");
    }

    @Override
    public String description() {
        return tool().version().split(" ")[0] + ": `aws s3 cp --recursive --only-show-errors --endpoint-url … <dir> s3://"
                + S3ServerMain.BUCKET + "/` with `s3.max_concurrent_requests " + CONCURRENT_REQUESTS
                + "` and `s3.addressing_style path` in a config file of the run's, its defaults otherwise (multipart "
                + "from 8 MiB in parts of 8 MiB); upload only: no metadata.json, no webhook";
    }

    @Override
    List<String> arguments(Path source) {
        return List.of("s3", "cp", "--recursive", "--only-show-errors", "--endpoint-url", s3.uri().toString(),
                source.toString(), "s3://" + S3ServerMain.BUCKET + "/");
    }

    @Override
    Map<String, String> environment(Path scratch) {
        // What `aws configure set default.s3.max_concurrent_requests 8` (and the same for the rest) writes.
        Path config = write(scratch.resolve("aws-config"), "[default]\n"
                + "region = " + S3ServerMain.REGION + "\n"
                + "s3 =\n"
                + "    max_concurrent_requests = " + CONCURRENT_REQUESTS + "\n"
                + "    addressing_style = path\n");
        return Map.of(
                "AWS_CONFIG_FILE", config.toString(),
                "AWS_SHARED_CREDENTIALS_FILE", scratch.resolve("no-credentials").toString(),
                "AWS_ACCESS_KEY_ID", S3ServerMain.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", S3ServerMain.SECRET_KEY,
                "AWS_EC2_METADATA_DISABLED", "true");
    }
}
