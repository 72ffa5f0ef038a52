package dev.reelay.internal.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The webhook-id: the same for the same content whatever the URLs' signatures, new for new content. */
class WebhookIdTest {

    static byte[] body(String videoUrl, String title) {
        return ("{\"recording_id\":3,\"title\":\"" + title + "\",\"uploaded_files\":{\"video\":\"" + videoUrl
                + "\",\"metadata\":\"https://s3.example.com/b/3/metadata.json?X-Amz-Signature=aa\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void signaturesSignedAnewKeepTheId() {
        String first = Signatures.webhookId(3, body("https://s3.example.com/b/3/video.mkv?X-Amz-Date=1&X-Amz-Signature=ab", "T"));
        String again = Signatures.webhookId(3, body("https://s3.example.com/b/3/video.mkv?X-Amz-Date=2&X-Amz-Signature=cd", "T"));

        assertThat(again).isEqualTo(first).startsWith("msg_");
    }

    @Test
    void otherContentGetsAnotherId() {
        String id = Signatures.webhookId(3, body("https://s3.example.com/b/3/video.mkv?X-Amz-Signature=ab", "T"));

        assertThat(Signatures.webhookId(3, body("https://s3.example.com/b/3/other.mkv?X-Amz-Signature=ab", "T"))).isNotEqualTo(id);
        assertThat(Signatures.webhookId(4, body("https://s3.example.com/b/3/video.mkv?X-Amz-Signature=ab", "T"))).isNotEqualTo(id);
        // a query string outside uploaded_files is content like any other
        assertThat(Signatures.webhookId(3, body("https://s3.example.com/b/3/video.mkv?X-Amz-Signature=ab", "https://x/?a")))
                .isNotEqualTo(Signatures.webhookId(3, body("https://s3.example.com/b/3/video.mkv?X-Amz-Signature=ab", "https://x/?b")));
    }

    @Test
    void aBodyThatIsNotJsonIsHashedAsItIs() {
        byte[] notJson = "not json ?a".getBytes(StandardCharsets.UTF_8);

        assertThat(Signatures.webhookId(3, notJson)).isNotEqualTo(Signatures.webhookId(3, "not json ?b".getBytes(StandardCharsets.UTF_8)));
    }
}
