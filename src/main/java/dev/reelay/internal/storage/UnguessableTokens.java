package dev.reelay.internal.storage;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A stable, secret-keyed token per recording: 160 bits of HMAC-SHA256 in lowercase base32. */
public final class UnguessableTokens {

    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    /** 32 characters of 5 bits each. */
    public static final int LENGTH = 32;

    private final SecretKeySpec key;

    public UnguessableTokens(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length < 16) {
            throw new IllegalArgumentException("the key of unguessable keys must hold at least 16 bytes, this one holds "
                    + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    public String token(long recordingId) {
        byte[] digest;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            digest = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(recordingId).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
        StringBuilder sb = new StringBuilder(LENGTH);
        int bits = 0;
        int buffer = 0;
        for (int i = 0; sb.length() < LENGTH; i++) {
            buffer = (buffer << 8) | (digest[i] & 0xff);
            bits += 8;
            while (bits >= 5 && sb.length() < LENGTH) {
                sb.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "UnguessableTokens{key=(set)}";
    }
}
