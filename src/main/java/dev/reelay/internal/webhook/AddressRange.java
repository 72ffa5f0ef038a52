package dev.reelay.internal.webhook;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** A CIDR block ({@code 10.0.0.0/8}, {@code fc00::/7}) or one address; parsed without any DNS lookup. */
public final class AddressRange {

    private final byte[] network;
    private final int prefix;
    private final String text;

    private AddressRange(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /** The range {@code text} names, or null when it is not an address or a CIDR block (a host name, say). */
    public static AddressRange parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        byte[] bytes = literal(address);
        if (bytes == null) {
            return null;
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length that is not a number");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
            }
        }
        byte[] network = mask(bytes, prefix);
        return new AddressRange(network, prefix, s);
    }

    /** Like {@link #parse} for a text known to be a range. */
    static AddressRange of(String text) {
        AddressRange r = parse(text);
        if (r == null) {
            throw new IllegalArgumentException("not an address range: " + text);
        }
        return r;
    }

    /**
     * The bytes of an IP literal (4 or 16; an IPv4-mapped IPv6 literal gives its 4 IPv4 bytes), or
     * null when {@code host} is not one. Never looks anything up.
     */
    public static byte[] literal(String host) {
        if (host == null || !(NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host))) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) {
            return null;
        }
        return bytes.length == 16 && isMapped(bytes) ? Arrays.copyOfRange(bytes, 12, 16) : bytes;
    }

    /** The address as an {@link InetAddress}, IPv4-mapped IPv6 addresses as IPv4, without any lookup. */
    public static InetAddress normalized(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address && isMapped(b)) {
            try {
                return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // four bytes are always an address
            }
        }
        return address;
    }

    static boolean isMapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** Whether the address lies in this range; an IPv4-mapped IPv6 address counts as its IPv4 address. */
    public boolean contains(InetAddress address) {
        byte[] b = normalized(address).getAddress();
        if (b.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(b, prefix), network);
    }

    /** Whether the range is one address ({@code /32} for IPv4, {@code /128} for IPv6). */
    public boolean isSingleAddress() {
        return prefix == network.length * 8;
    }

    boolean isIpv4() {
        return network.length == 4;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    /** An {@link Inet4Address} made of four bytes of {@code b} from {@code offset}. */
    static Inet4Address ipv4(byte[] b, int offset) {
        try {
            return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(b, offset, offset + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
