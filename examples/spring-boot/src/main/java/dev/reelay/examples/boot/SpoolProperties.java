package dev.reelay.examples.boot;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The example's own settings, under {@code recordings.*}.
 *
 * @param spoolDirectory where uploaded files are kept until their recording is complete (Reelay's journal holds
 *                       their paths: a recording interrupted by a stop continues from them at the next start)
 * @param diskDirectory  the only directory {@code POST /recordings/from-disk} may name files under
 */
@ConfigurationProperties("recordings")
public record SpoolProperties(Path spoolDirectory, Path diskDirectory) {
}
