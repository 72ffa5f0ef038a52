package dev.reelay.internal.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several pipelines share a work directory: a folder is removed only when its owner is provably
 * dead (its lock can be taken), never while a pipeline of this JVM or of another process lives.
 */
class WorkDirectoryTest {

    @TempDir
    Path parent;

    /** A child JVM's pipeline: claims a folder, leaves a work file in it, says where, and waits to be killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            WorkDirectory work = WorkDirectory.claim(Path.of(args[0]));
            Files.writeString(work.path().resolve("recording-3-1-thumbnail.jpg"), "half a thumbnail");
            System.out.println(work.path());
            System.out.flush();
            System.in.read(); // until killed
        }
    }

    /** Another process's sweep. */
    public static final class Sweeper {
        public static void main(String[] args) {
            WorkDirectory.sweep(Path.of(args[0]), null);
        }
    }

    void sweepFromAnotherProcess() throws Exception {
        Process child = new ProcessBuilder(javaCommand(), "-cp", System.getProperty("java.class.path"), Sweeper.class.getName(),
                parent.toString()).inheritIO().start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    long entries() throws IOException {
        try (Stream<Path> all = Files.list(parent)) {
            return all.count();
        }
    }

    @Test
    void aKilledProcesssFolderIsSweptAndALiveOnesIsNot() throws Exception {
        Process child = new ProcessBuilder(javaCommand(), "-cp", System.getProperty("java.class.path"), Holder.class.getName(),
                parent.toString()).redirectErrorStream(true).start();
        Path folder;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            folder = Path.of(out.readLine());

            WorkDirectory.sweep(parent, null);
            assertThat(folder.resolve("recording-3-1-thumbnail.jpg")).as("its owner lives in another process").exists();

            child.destroyForcibly(); // SIGKILL: no cleanup, but the OS drops its lock
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        WorkDirectory.sweep(parent, null);

        assertThat(folder).doesNotExist();
        assertThat(entries()).as("its lock file is gone too").isZero();
    }

    @Test
    void aFolderOfAPipelineInThisJvmIsNeverSwept() throws Exception {
        WorkDirectory first = WorkDirectory.claim(parent);
        Files.writeString(first.path().resolve("thumbnail.jpg"), "in use");

        try (WorkDirectory second = WorkDirectory.claim(parent)) {
            second.sweep();
            WorkDirectory.sweep(parent, null);
            assertThat(first.path().resolve("thumbnail.jpg")).exists();
            assertThat(second.path()).exists();
        }
        // the lock is still held: the sweeps of this JVM did not drop it by closing a channel of the file
        sweepFromAnotherProcess();
        assertThat(first.path().resolve("thumbnail.jpg")).exists();
        first.close();
        assertThat(entries()).isZero();
    }

    @Test
    void aFolderWithoutItsLockFileIsALeftover() throws Exception {
        Path leftover = Files.createDirectories(parent.resolve("run-0b2c/"));
        Files.writeString(leftover.resolve("recording-4-2-thumbnail.jpg"), "x");
        Path notOurs = Files.writeString(parent.resolve("recording-5-old-thumbnail.jpg"), "from an older version");

        WorkDirectory.sweep(parent, null);

        assertThat(leftover).doesNotExist();
        assertThat(notOurs).as("not provably dead: left alone").exists();
    }
}
