package dev.reelay.internal.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The address ranges that are not the public internet, each with the words a refusal uses. Cloud
 * metadata addresses come first so that a refusal names them rather than their larger range.
 */
public final class AddressRules {

    private record Rule(AddressRange range, String what) {
        Rule(String range, String what) {
            this(AddressRange.of(range), what);
        }
    }

    private static final List<Rule> METADATA = List.of(
            new Rule("169.254.169.254", "a cloud metadata address (AWS, GCP, Azure, Oracle, OpenStack)"),
            new Rule("169.254.170.2", "a cloud metadata address (AWS ECS task credentials)"),
            new Rule("100.100.100.200", "a cloud metadata address (Alibaba Cloud)"),
            new Rule("192.0.0.192", "a cloud metadata address (Oracle Cloud)"),
            new Rule("fd00:ec2::254", "a cloud metadata address (AWS, IPv6)"));

    private static final List<Rule> IPV4 = List.of(
            new Rule("0.0.0.0/32", "the unspecified address (0.0.0.0)"),
            new Rule("0.0.0.0/8", "a 'this network' address (0.0.0.0/8)"),
            new Rule("10.0.0.0/8", "a private address (10.0.0.0/8)"),
            new Rule("100.64.0.0/10", "a carrier-grade NAT address (100.64.0.0/10)"),
            new Rule("127.0.0.0/8", "a loopback address (127.0.0.0/8)"),
            new Rule("169.254.0.0/16", "a link-local address (169.254.0.0/16)"),
            new Rule("172.16.0.0/12", "a private address (172.16.0.0/12)"),
            new Rule("192.0.0.0/24", "an IETF protocol assignment (192.0.0.0/24)"),
            new Rule("192.0.2.0/24", "a documentation address (192.0.2.0/24)"),
            new Rule("192.88.99.0/24", "a 6to4 relay anycast address (192.88.99.0/24)"),
            new Rule("192.168.0.0/16", "a private address (192.168.0.0/16)"),
            new Rule("198.18.0.0/15", "a benchmarking address (198.18.0.0/15)"),
            new Rule("198.51.100.0/24", "a documentation address (198.51.100.0/24)"),
            new Rule("203.0.113.0/24", "a documentation address (203.0.113.0/24)"),
            new Rule("224.0.0.0/4", "a multicast address (224.0.0.0/4)"),
            new Rule("255.255.255.255/32", "the broadcast address (255.255.255.255)"),
            new Rule("240.0.0.0/4", "a reserved address (240.0.0.0/4)"));

    private static final List<Rule> IPV6 = List.of(
            new Rule("::/128", "the unspecified address (::)"),
            new Rule("::1/128", "a loopback address (::1)"),
            new Rule("64:ff9b:1::/48", "a local-use NAT64 address (64:ff9b:1::/48)"),
            new Rule("100::/64", "a discard-only address (100::/64)"),
            new Rule("2001::/32", "a Teredo address (2001::/32)"),
            new Rule("2001:db8::/32", "a documentation address (2001:db8::/32)"),
            new Rule("3fff::/20", "a documentation address (3fff::/20)"),
            new Rule("fc00::/7", "a unique-local address (fc00::/7)"),
            new Rule("fe80::/10", "a link-local address (fe80::/10)"),
            new Rule("fec0::/10", "a site-local address (fec0::/10, deprecated)"),
            new Rule("ff00::/8", "a multicast address (ff00::/8)"));

    private static final AddressRange NAT64 = AddressRange.of("64:ff9b::/96");
    private static final AddressRange COMPATIBLE = AddressRange.of("::/96");
    private static final AddressRange SIX_TO_FOUR = AddressRange.of("2002::/16");
    private static final AddressRange GLOBAL_UNICAST = AddressRange.of("2000::/3");

    private AddressRules() {
    }

    /** What a cloud metadata address is, or null when {@code address} is none. */
    public static String metadata(InetAddress address) {
        InetAddress a = AddressRange.normalized(address);
        for (Rule r : METADATA) {
            if (r.range.contains(a)) {
                return r.what;
            }
        }
        if (a instanceof Inet6Address) {
            Inet4Address embedded = embeddedIpv4(a.getAddress());
            return embedded == null ? null : metadata(embedded);
        }
        return null;
    }

    /**
     * Why {@code address} is not a public internet address ({@code "a private address (10.0.0.0/8)"}),
     * or null when it is one. IPv4 inside IPv6 (mapped, compatible, NAT64, 6to4) is judged by the
     * IPv4 address it carries.
     */
    public static String nonPublic(InetAddress address) {
        InetAddress a = AddressRange.normalized(address);
        String meta = metadata(a);
        if (meta != null) {
            return meta;
        }
        if (a instanceof Inet4Address) {
            return first(IPV4, a);
        }
        byte[] b = a.getAddress();
        String v6 = first(IPV6, a);
        if (v6 != null) {
            return v6;
        }
        Inet4Address embedded = embeddedIpv4(b);
        if (embedded != null) {
            String why = nonPublic(embedded);
            if (why != null) {
                return why + ", carried in an IPv6 address";
            }
            if (COMPATIBLE.contains(a)) {
                return "an IPv4-compatible IPv6 address (::/96, deprecated)";
            }
            return null;
        }
        return GLOBAL_UNICAST.contains(a) ? null : "not a global unicast address (outside 2000::/3)";
    }

    private static String first(List<Rule> rules, InetAddress a) {
        for (Rule r : rules) {
            if (r.range.contains(a)) {
                return r.what;
            }
        }
        return null;
    }

    /** The IPv4 address an IPv6 address carries: IPv4-compatible, NAT64 (64:ff9b::/96) or 6to4 (2002::/16). */
    static Inet4Address embeddedIpv4(byte[] b) {
        if (b.length != 16) {
            return null;
        }
        InetAddress a;
        try {
            a = InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
        if (a instanceof Inet4Address) {
            return (Inet4Address) a; // mapped
        }
        if (NAT64.contains(a) || COMPATIBLE.contains(a)) {
            return AddressRange.ipv4(b, 12);
        }
        if (SIX_TO_FOUR.contains(a)) {
            return AddressRange.ipv4(b, 2);
        }
        return null;
    }
}
