package dev.reelay.internal.webhook;

import dev.reelay.webhook.NetworkPolicy;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import reactor.core.Disposable;

/**
 * Resolves webhook hosts and keeps only the addresses the {@link NetworkPolicy} allows, as the
 * connection is made: Reactor Netty connects to exactly what this returns, so a name that
 * resolves differently later (DNS rebinding) is checked again, and a literal address is checked
 * too ({@link AddressResolver#isResolved} says no to everything so that nothing bypasses it).
 * Names go to the policy's own resolver, or to Reactor Netty's shared non-blocking DNS resolver.
 */
public final class PolicyResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final NetworkPolicy policy;
    /** Reactor Netty's shared resolver: used, never closed here. Null when the policy brings its own. */
    private final AddressResolverGroup<?> dns;
    private final Set<InetAddress> ownAddresses;
    private final List<AddressRange> namedRanges;

    public PolicyResolverGroup(NetworkPolicy policy, AddressResolverGroup<?> dns, Set<InetAddress> ownAddresses) {
        this.policy = policy;
        this.dns = policy.resolver().isPresent() ? null : dns;
        this.ownAddresses = ownAddresses.stream().map(AddressRange::normalized).collect(Collectors.toUnmodifiableSet());
        this.namedRanges = policy.allowed().stream().map(AddressRange::parse).filter(r -> r != null).toList();
    }

    /** The addresses of this machine's network interfaces; read once, on the thread that builds the client. */
    public static Set<InetAddress> ownAddresses() {
        Set<InetAddress> own = new HashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                own.addAll(Collections.list(nic.getInetAddresses()));
            }
        } catch (SocketException | RuntimeException e) {
            // no interfaces to read: the address rules still apply
        }
        return own;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new PolicyResolver(executor);
    }

    /**
     * The addresses of {@code host} that the policy allows, or the refusal naming the rule for
     * each; {@code host} is null for a literal address.
     */
    List<InetSocketAddress> allowed(String host, List<InetAddress> addresses, int port) {
        List<InetSocketAddress> allowed = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        for (InetAddress address : addresses) {
            String refusal = refusal(host, address);
            if (refusal == null) {
                allowed.add(new InetSocketAddress(address, port));
            } else if (refusals.size() < 4) {
                refusals.add(refusal);
            }
        }
        if (allowed.isEmpty()) {
            String what = host == null ? String.join("; ", refusals)
                    : addresses.size() == 1 ? host + " resolves to " + refusals.get(0).replaceFirst(" is ", ", which is ")
                    : host + " resolves only to refused addresses: " + String.join("; ", refusals);
            throw new PolicyRefusal("refused by the network policy: " + what);
        }
        return allowed;
    }

    private String refusal(String host, InetAddress address) {
        String why = policy.refusal(host, address).orElse(null);
        if (why != null) {
            return why;
        }
        InetAddress a = AddressRange.normalized(address);
        if (ownAddresses.contains(a) && AddressRules.nonPublic(a) == null
                && namedRanges.stream().noneMatch(r -> r.contains(a))) {
            return NetUtil.toAddressString(a) + " is an address of this machine";
        }
        return null;
    }

    /** A target the network policy refuses: permanent, never retried, never an I/O error. */
    public static final class PolicyRefusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PolicyRefusal(String message) {
            super(message, null, false, false);
        }
    }

    private final class PolicyResolver implements AddressResolver<InetSocketAddress> {

        private final EventExecutor executor;

        PolicyResolver(EventExecutor executor) {
            this.executor = executor;
        }

        @Override
        public boolean isSupported(SocketAddress address) {
            return address instanceof InetSocketAddress;
        }

        @Override
        public boolean isResolved(SocketAddress address) {
            return false;
        }

        @Override
        public Future<InetSocketAddress> resolve(SocketAddress address) {
            return resolve(address, executor.newPromise());
        }

        @Override
        public Future<InetSocketAddress> resolve(SocketAddress address, Promise<InetSocketAddress> promise) {
            resolveAll(address).addListener(f -> {
                if (f.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    List<InetSocketAddress> all = (List<InetSocketAddress>) f.getNow();
                    promise.trySuccess(all.get(0));
                } else {
                    promise.tryFailure(f.cause());
                }
            });
            return promise;
        }

        @Override
        public Future<List<InetSocketAddress>> resolveAll(SocketAddress address) {
            return resolveAll(address, executor.newPromise());
        }

        @Override
        public Future<List<InetSocketAddress>> resolveAll(SocketAddress address,
                                                          Promise<List<InetSocketAddress>> promise) {
            InetSocketAddress target = (InetSocketAddress) address;
            int port = target.getPort();
            try {
                if (!target.isUnresolved()) {
                    promise.trySuccess(allowed(null, List.of(target.getAddress()), port));
                    return promise;
                }
                String host = target.getHostString();
                byte[] literal = AddressRange.literal(host);
                if (literal != null) {
                    promise.trySuccess(allowed(null, List.of(InetAddress.getByAddress(literal)), port));
                    return promise;
                }
                if (dns == null) {
                    Disposable lookup = policy.resolver().orElseThrow().resolve(host).subscribe(
                            addresses -> settle(promise, host, addresses, port),
                            promise::tryFailure,
                            () -> promise.tryFailure(new UnknownHostException(host + ": no address")));
                    promise.addListener(f -> {
                        if (f.isCancelled()) {
                            lookup.dispose();
                        }
                    });
                } else {
                    @SuppressWarnings("unchecked")
                    AddressResolver<InetSocketAddress> resolver = (AddressResolver<InetSocketAddress>) dns.getResolver(executor);
                    resolver.resolveAll(InetSocketAddress.createUnresolved(host, port)).addListener(f -> {
                        if (f.isSuccess()) {
                            @SuppressWarnings("unchecked")
                            List<InetSocketAddress> found = (List<InetSocketAddress>) f.getNow();
                            settle(promise, host, found.stream().map(InetSocketAddress::getAddress).toList(), port);
                        } else {
                            promise.tryFailure(f.cause());
                        }
                    });
                }
            } catch (RuntimeException | UnknownHostException e) {
                promise.tryFailure(e);
            }
            return promise;
        }

        private void settle(Promise<List<InetSocketAddress>> promise, String host, List<InetAddress> addresses, int port) {
            if (addresses == null || addresses.isEmpty()) {
                promise.tryFailure(new UnknownHostException(host + ": no address"));
                return;
            }
            try {
                promise.trySuccess(allowed(host, addresses, port));
            } catch (PolicyRefusal e) {
                promise.tryFailure(e);
            }
        }

        @Override
        public void close() {
            // nothing of its own: the DNS resolver is Reactor Netty's, the policy's resolver is the host's
        }
    }
}
