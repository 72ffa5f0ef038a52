package dev.reelay;

/**
 * Hears how far each file's upload has got, for progress bars and dashboards.
 *
 * <pre>{@code
 * PipelineOptions options = PipelineOptions.builder()
 *         .s3(s3)
 *         .uploadProgress((id, name, sent, total) ->
 *                 bars.update(id + "/" + name, (int) (100 * sent / total)))
 *         .build();
 * }</pre>
 *
 * <p>Called on I/O threads, at most every 100 ms per file and once more when its last byte is
 * out (the same progress as {@link dev.reelay.event.UploadProgressed} events): it must be quick
 * and must never block. {@code bytesSent} only grows and never passes {@code totalBytes}; a
 * retried request does not move it back. The last call for a stored file has
 * {@code bytesSent == totalBytes}. To watch progress on a thread of your own, subscribe to
 * {@code pipeline.events().ofType(UploadProgressed.class)} instead.
 */
@FunctionalInterface
public interface UploadProgress {

    /** Does nothing. */
    UploadProgress NONE = (recordingId, fileName, bytesSent, totalBytes) -> { };

    /**
     * @param recordingId the recording
     * @param fileName    the file's stored name, e.g. {@code video.mkv} or {@code metadata.json}
     * @param bytesSent   bytes handed to the network so far
     * @param totalBytes  the file's size
     */
    void progress(long recordingId, String fileName, long bytesSent, long totalBytes);
}
