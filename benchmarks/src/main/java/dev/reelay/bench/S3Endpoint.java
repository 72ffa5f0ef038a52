package dev.reelay.bench;

import dev.reelay.storage.S3StorageOptions;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The benchmark S3 server's address, and the clients of every contender configured for it
 * alike: path-style, SigV4 with the same credentials, checksums only when required (what a
 * strict S3-compatible store needs).
 */
record S3Endpoint(URI uri) {

    /** Reelay with its defaults: only endpoint, region, bucket and credentials set. */
    S3StorageOptions reelayOptions() {
        return S3StorageOptions.builder()
                .endpoint(uri)
                .region(S3ServerMain.REGION)
                .bucket(S3ServerMain.BUCKET)
                .credentials(S3ServerMain.ACCESS_KEY, S3ServerMain.SECRET_KEY)
                .build();
    }

    /** A bare async client on the SDK's default Netty HTTP client. */
    S3AsyncClient asyncClient() {
        return S3AsyncClient.builder()
                .endpointOverride(uri)
                .forcePathStyle(true)
                .region(Region.of(S3ServerMain.REGION))
                .credentialsProvider(credentials())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** The synchronous client of contender A, on the JDK's HttpURLConnection. */
    S3Client syncClient() {
        return S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(uri)
                .forcePathStyle(true)
                .region(Region.of(S3ServerMain.REGION))
                .credentialsProvider(credentials())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** A URL as Reelay and the original system publish it: path-style. */
    String url(String key) {
        return uri + "/" + S3ServerMain.BUCKET + "/" + key;
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ServerMain.ACCESS_KEY, S3ServerMain.SECRET_KEY));
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
