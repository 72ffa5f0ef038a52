package dev.reelay.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.BlobStores;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;

/**
 * The S3 server of the benchmarks, in a JVM of its own so that it shares no heap with the
 * contenders: S3Proxy in strict mode with SigV4 over jclouds' {@code filesystem} store.
 *
 * <p>Usage: {@code S3ServerMain <basedir>}. Prints {@code PORT <n>} once listening, then
 * answers commands on stdin, one line each: {@code clear} → {@code OK};
 * {@code count} → {@code COUNT <objects> <bytes>}. Exits when stdin closes.
 */
public final class S3ServerMain {

    static final String ACCESS_KEY = "AKIAREELAYBENCH00001";
    static final String SECRET_KEY = "reelay-bench-secret-key-0123456789abcdef";
    static final String BUCKET = "fyemeet";
    static final String REGION = "us-west-1";

    private S3ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path basedir = Files.createDirectories(Path.of(args[0]));
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", basedir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                .credentials("identity", "credential")
                .overrides(props)
                .build(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        store.createContainerInLocation(null, BUCKET);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        System.out.println("PORT " + proxy.getPort());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String answer;
            try {
                answer = switch (line.trim()) {
                    case "clear" -> {
                        // The filesystem store's clearContainer fails on keys with folders; start from a new bucket.
                        store.deleteContainer(BUCKET);
                        store.createContainerInLocation(null, BUCKET);
                        yield "OK";
                    }
                    case "count" -> count(store);
                    default -> "ERROR unknown command " + line;
                };
            } catch (RuntimeException e) {
                answer = "ERROR " + e;
            }
            System.out.println(answer);
            System.out.flush();
        }
        proxy.stop();
        context.close();
        System.exit(0);
    }

    private static String count(BlobStore store) {
        long objects = 0;
        long bytes = 0;
        for (StorageMetadata m : BlobStores.listAll(store, BUCKET, ListContainerOptions.Builder.recursive())) {
            if (m.getType() == org.jclouds.blobstore.domain.StorageType.BLOB) {
                objects++;
                bytes += m.getSize() == null ? 0 : m.getSize();
            }
        }
        return "COUNT " + objects + " " + bytes;
    }
}
