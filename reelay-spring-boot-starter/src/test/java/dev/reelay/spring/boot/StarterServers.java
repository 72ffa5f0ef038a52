package dev.reelay.spring.boot;

import dev.reelay.support.Recordings;
import dev.reelay.support.S3TestServer;
import dev.reelay.support.TestReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The real servers the starter's tests run against, one of each per test class: S3Proxy and a receiver. */
abstract class StarterServers {

    static S3TestServer s3;
    static TestReceiver receiver;

    @BeforeAll
    static void servers() {
        s3 = S3TestServer.start();
        receiver = TestReceiver.start(Recordings.EMAIL);
    }

    @AfterAll
    static void stop() {
        receiver.close();
        s3.close();
    }

    /** The {@code reelay.store.*} properties of the S3 server, keys included. */
    static String[] store() {
        return new String[] {
                "reelay.store.endpoint=" + s3.endpoint(),
                "reelay.store.region=" + S3TestServer.REGION,
                "reelay.store.bucket=" + S3TestServer.BUCKET,
                "reelay.store.access-key-id=" + S3TestServer.ACCESS_KEY,
                "reelay.store.secret-access-key=" + S3TestServer.SECRET_KEY};
    }
}
