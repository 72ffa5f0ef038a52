package dev.reelay.webhook;

import dev.reelay.internal.webhook.AddressRange;
import dev.reelay.internal.webhook.AddressRules;
import io.netty.util.NetUtil;
import java.net.IDN;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * Where webhooks may go: checked on the addresses a host name resolves to, when the connection is
 * made, so that the address checked is the address connected to (a name that resolves to a public
 * address at configuration time and to {@code 10.0.0.1} later gets nowhere).
 *
 * <ul>
 *   <li>{@link #allowAll()}, the default: any address. Right while every webhook URL comes from
 *       your own configuration.</li>
 *   <li>{@link #publicOnly()}: public internet addresses only. Turn it on as soon as a URL can come
 *       from someone less trusted than your operators (a tenant's setting, an admin page, an
 *       API): it refuses loopback, private (10/8, 172.16/12, 192.168/16), carrier-grade NAT
 *       (100.64/10), link-local (169.254/16, fe80::/10), unique-local (fc00::/7), multicast,
 *       broadcast, unspecified, documentation and reserved addresses, the cloud metadata
 *       addresses (169.254.169.254, fd00:ec2::254, 100.100.100.200, …), IPv4 carried in IPv6
 *       (mapped, compatible, NAT64, 6to4) by the IPv4 address it carries, and, when connecting,
 *       the addresses of this machine's own network interfaces.</li>
 * </ul>
 *
 * <pre>{@code
 * PipelineOptions options = PipelineOptions.builder()
 *         .s3(storage)
 *         .webhook(tenantUrl)
 *         .networkPolicy(NetworkPolicy.publicOnly()
 *                 .allowing("10.20.0.0/16", "hooks.internal.example"))   // your own internal receivers
 *         .build();
 *
 * try (WebhookClient client = WebhookClient.create(NetworkPolicy.publicOnly())) {   // e.g. "send a test webhook"
 *     WebhookOutcome outcome = client.send(WebhookEndpoint.of(url), metadata).block();
 * }
 * }</pre>
 *
 * <p>A refused target ends as a {@link WebhookOutcome.State#REJECTED} delivery whose error names
 * the rule ({@code "refused by the network policy: 169.254.169.254 is a cloud metadata address
 * …"}); nothing is sent, no connection is opened, and it is not retried. Of the addresses a name
 * resolves to, only the allowed ones are connected to. Redirects are never followed, so a receiver
 * cannot send Reelay elsewhere.
 *
 * <p>Values are immutable: {@link #allowing} and {@link #withResolver} return new policies.
 */
public final class NetworkPolicy {

    private static final NetworkPolicy ALLOW_ALL = new NetworkPolicy(false, List.of(), List.of(), List.of(), null);
    private static final NetworkPolicy PUBLIC_ONLY = new NetworkPolicy(true, List.of(), List.of(), List.of(), null);
    private static final Pattern HOST =
            Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?");

    /**
     * Looks host names up for a restrictive policy, in place of DNS: for a host with its own
     * discovery, or a test. It must not block; wrap a blocking lookup in
     * {@code Mono.fromCallable(…).subscribeOn(Schedulers.boundedElastic())}.
     *
     * <pre>{@code
     * NetworkPolicy policy = NetworkPolicy.publicOnly()
     *         .withResolver(host -> Mono.fromCallable(() -> List.of(InetAddress.getAllByName(host)))
     *                 .subscribeOn(Schedulers.boundedElastic()));
     * }</pre>
     */
    @FunctionalInterface
    public interface HostResolver {
        /** Every address of {@code host}; an empty list or an error when it has none. */
        Mono<List<InetAddress>> resolve(String host);
    }

    private final boolean publicOnly;
    private final List<String> allowed;
    private final List<AddressRange> allowedRanges;
    private final List<String> allowedHosts;
    private final HostResolver resolver;

    private NetworkPolicy(boolean publicOnly, List<String> allowed, List<AddressRange> allowedRanges,
                          List<String> allowedHosts, HostResolver resolver) {
        this.publicOnly = publicOnly;
        this.allowed = allowed;
        this.allowedRanges = allowedRanges;
        this.allowedHosts = allowedHosts;
        this.resolver = resolver;
    }

    /** Any address, as Reelay always did: for URLs that come from your own configuration only. Default. */
    public static NetworkPolicy allowAll() {
        return ALLOW_ALL;
    }

    /** Public internet addresses only; see the class description for what is refused. */
    public static NetworkPolicy publicOnly() {
        return PUBLIC_ONLY;
    }

    /**
     * This policy, also allowing these address ranges and hosts: a CIDR block
     * ({@code "10.20.0.0/16"}, {@code "fd12:3456::/48"}), one address ({@code "127.0.0.1"}), a host
     * name ({@code "hooks.internal.example"}, whatever it resolves to) or every subdomain of one
     * ({@code "*.internal.example"}). A cloud metadata address is allowed only when named as one
     * address, never by a larger range or a host name.
     *
     * @throws IllegalArgumentException for an entry that is neither, or on {@link #allowAll()}, which allows all already
     */
    public NetworkPolicy allowing(String... hostsOrRanges) {
        Objects.requireNonNull(hostsOrRanges, "hostsOrRanges");
        if (!publicOnly) {
            throw new IllegalArgumentException("allowAll() allows every address already; "
                    + "start from publicOnly() to allow a few private ones");
        }
        List<String> all = new ArrayList<>(allowed);
        List<AddressRange> ranges = new ArrayList<>(allowedRanges);
        List<String> hosts = new ArrayList<>(allowedHosts);
        for (String entry : hostsOrRanges) {
            if (entry == null || entry.isBlank()) {
                throw new IllegalArgumentException("an allowed host or range must not be blank");
            }
            AddressRange range = AddressRange.parse(entry);
            if (range != null) {
                ranges.add(range);
            } else {
                String host = host(entry);
                if (!HOST.matcher(host).matches()) {
                    throw new IllegalArgumentException("'" + entry + "' is neither an address, a CIDR block nor a host name");
                }
                hosts.add(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
            }
            all.add(entry.trim());
        }
        return new NetworkPolicy(true, List.copyOf(all), List.copyOf(ranges), List.copyOf(hosts), resolver);
    }

    /** This policy, looking names up with {@code resolver} instead of DNS. */
    public NetworkPolicy withResolver(HostResolver resolver) {
        return new NetworkPolicy(publicOnly, allowed, allowedRanges, allowedHosts,
                Objects.requireNonNull(resolver, "resolver"));
    }

    /** Whether every address is allowed ({@link #allowAll()}). */
    public boolean allowsAll() {
        return !publicOnly;
    }

    /** The allowed hosts and ranges, as given to {@link #allowing}. */
    public List<String> allowed() {
        return allowed;
    }

    /** The resolver set with {@link #withResolver}, if any; otherwise names are looked up with non-blocking DNS. */
    public Optional<HostResolver> resolver() {
        return Optional.ofNullable(resolver);
    }

    /**
     * Why this policy refuses {@code address}, e.g. {@code "10.0.0.1 is a private address
     * (10.0.0.0/8)"}, or empty when it allows it. For a form that checks a URL with a literal
     * address; names are checked on what they resolve to, when connecting.
     */
    public Optional<String> refusal(InetAddress address) {
        return refusal(null, address);
    }

    /**
     * Why this policy refuses {@code address}, which {@code host} resolved to (null for a literal
     * address), or empty when it allows it: the allowed ranges and hosts first, then the rules.
     */
    public Optional<String> refusal(String host, InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (!publicOnly) {
            return Optional.empty();
        }
        String shown = NetUtil.toAddressString(AddressRange.normalized(address));
        String metadata = AddressRules.metadata(address);
        for (AddressRange r : allowedRanges) {
            if (r.contains(address) && (metadata == null || r.isSingleAddress())) {
                return Optional.empty();
            }
        }
        if (metadata == null && host != null && hostAllowed(host)) {
            return Optional.empty();
        }
        String why = AddressRules.nonPublic(address);
        if (why == null) {
            return Optional.empty();
        }
        if (metadata != null && (hostAllowed(host) || allowedRanges.stream().anyMatch(r -> r.contains(address)))) {
            why += "; name it as one address to allow it";
        }
        return Optional.of(shown + " is " + why);
    }

    private boolean hostAllowed(String host) {
        if (host == null) {
            return false;
        }
        String h = host(host);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (String allowedHost : allowedHosts) {
            if (allowedHost.startsWith("*.") ? h.endsWith(allowedHost.substring(1)) : h.equals(allowedHost)) {
                return true;
            }
        }
        return false;
    }

    private static String host(String name) {
        String h = name.trim().toLowerCase(Locale.ROOT);
        try {
            return IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return h;
        }
    }

    @Override
    public String toString() {
        if (!publicOnly) {
            return "NetworkPolicy{allowAll}";
        }
        return "NetworkPolicy{publicOnly" + (allowed.isEmpty() ? "" : ", allowing=" + Arrays.toString(allowed.toArray()))
                + (resolver == null ? "" : ", resolver=" + resolver.getClass().getSimpleName()) + "}";
    }
}
