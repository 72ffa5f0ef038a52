package dev.reelay.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reelay.PipelineOptions;
import dev.reelay.PipelineResult;
import dev.reelay.PipelineResult.Status;
import dev.reelay.RecordingMetadata;
import dev.reelay.UserInfo;
import dev.reelay.media.MediaOptions;
import dev.reelay.support.Recordings;
import dev.reelay.support.ServersTest;
import dev.reelay.support.TestReceiver;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/**
 * Where webhooks may go: literal addresses of every non-public class, names that resolve to them
 * (with a resolver the test controls, and with real DNS for localhost), and the allowed cases,
 * all against the real receiver on 127.0.0.1, which must hear nothing of a refused delivery.
 */
class NetworkPolicyTest extends ServersTest {

    static final String TOKEN = "tok_policy_0123456789abcdef";

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("10.0.0.1", "a private address (10.0.0.0/8)"),
                Arguments.of("172.16.5.4", "a private address (172.16.0.0/12)"),
                Arguments.of("192.168.1.1", "a private address (192.168.0.0/16)"),
                Arguments.of("127.0.0.1", "a loopback address (127.0.0.0/8)"),
                Arguments.of("127.8.9.10", "a loopback address (127.0.0.0/8)"),
                Arguments.of("::1", "a loopback address (::1)"),
                Arguments.of("169.254.1.1", "a link-local address (169.254.0.0/16)"),
                Arguments.of("fe80::1", "a link-local address (fe80::/10)"),
                Arguments.of("fd00::2", "a unique-local address (fc00::/7)"),
                Arguments.of("fc00::1", "a unique-local address (fc00::/7)"),
                Arguments.of("100.64.0.1", "a carrier-grade NAT address (100.64.0.0/10)"),
                Arguments.of("224.0.0.1", "a multicast address (224.0.0.0/4)"),
                Arguments.of("ff02::1", "a multicast address (ff00::/8)"),
                Arguments.of("0.0.0.0", "the unspecified address (0.0.0.0)"),
                Arguments.of("::", "the unspecified address (::)"),
                Arguments.of("255.255.255.255", "the broadcast address (255.255.255.255)"),
                Arguments.of("169.254.169.254", "a cloud metadata address"),
                Arguments.of("fd00:ec2::254", "a cloud metadata address (AWS, IPv6)"),
                Arguments.of("100.100.100.200", "a cloud metadata address (Alibaba Cloud)"),
                Arguments.of("::ffff:169.254.169.254", "a cloud metadata address"),
                Arguments.of("::ffff:10.0.0.1", "a private address (10.0.0.0/8)"),
                Arguments.of("::a9fe:a9fe", "a cloud metadata address"),
                Arguments.of("64:ff9b::a00:1", "a private address (10.0.0.0/8), carried in an IPv6 address"),
                Arguments.of("2002:a00:1::1", "a private address (10.0.0.0/8), carried in an IPv6 address"),
                Arguments.of("::808:808", "an IPv4-compatible IPv6 address"),
                Arguments.of("192.0.2.1", "a documentation address (192.0.2.0/24)"),
                Arguments.of("2001:db8::1", "a documentation address (2001:db8::/32)"),
                Arguments.of("198.18.0.1", "a benchmarking address (198.18.0.0/15)"),
                Arguments.of("240.0.0.1", "a reserved address (240.0.0.0/4)"),
                Arguments.of("2001::1", "a Teredo address (2001::/32)"));
    }

    static RecordingMetadata metadata(long id) {
        return new RecordingMetadata(id, "Meeting", Recordings.CREATED_AT, 77L, 77L, new UserInfo("souvik", Recordings.EMAIL),
                new BigDecimal("0.01"), Map.of("video.mkv", new BigDecimal("0.01")),
                Map.of("video", "https://s3.example.com/fyemeet/" + id + "/video.mkv"), Instant.now(), "reelay",
                "fyemeet", "us-west-1");
    }

    /** Retries and deadline such that a policy that let a refused target through would show as FAILED, not REJECTED. */
    static WebhookEndpoint.Builder endpoint(String url) {
        return WebhookEndpoint.builder(url).bearerToken(TOKEN).allowInsecureHttp()
                .attemptTimeout(Duration.ofSeconds(2))
                .retry(Retry.backoff(2, Duration.ofMillis(10)));
    }

    static WebhookOutcome send(NetworkPolicy policy, WebhookEndpoint endpoint, long id) {
        AtomicReference<WebhookOutcome> outcome = new AtomicReference<>();
        try (WebhookClient client = WebhookClient.create(policy)) {
            StepVerifier.create(client.send(endpoint, metadata(id)))
                    .consumeNextWith(outcome::set)
                    .expectComplete()
                    .verify(LIMIT);
        }
        return outcome.get();
    }

    /** Names the test decides the addresses of, as a DNS server an attacker controls would. */
    static NetworkPolicy.HostResolver names(Map<String, List<String>> table) {
        return host -> Mono.fromCallable(() -> {
            List<String> addresses = table.get(host);
            if (addresses == null) {
                throw new java.net.UnknownHostException(host);
            }
            return addresses.stream().map(NetworkPolicyTest::address).toList();
        }).subscribeOn(Schedulers.boundedElastic());
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static String urlOf(String literal, TestReceiver receiver) {
        String host = literal.contains(":") ? "[" + literal + "]" : literal;
        return "http://" + host + ":" + receiver.port() + TestReceiver.PATH;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void everyNonPublicClassOfLiteralAddressIsRefusedWithItsRule(String literal, String rule) {
        assertThat(NetworkPolicy.publicOnly().refusal(address(literal))).hasValueSatisfying(r -> assertThat(r).contains(rule));
        assertThat(NetworkPolicy.allowAll().refusal(address(literal))).isEmpty();

        WebhookOutcome outcome = send(NetworkPolicy.publicOnly(), endpoint(urlOf(literal, receiver)).build(), 1);

        assertThat(outcome.state()).isEqualTo(WebhookOutcome.State.REJECTED);
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(outcome.statusCode()).isZero();
        assertThat(outcome.error()).startsWith("refused by the network policy: ").contains(rule).endsWith("not retried");
        assertThat(receiver.requests()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8",
            "64:ff9b::808:808", "2002:808:808::1", "100.63.255.255", "100.128.0.0", "172.32.0.1", "169.253.255.255"})
    void publicAddressesAreAllowed(String literal) {
        assertThat(NetworkPolicy.publicOnly().refusal(address(literal))).isEmpty();
    }

    @Test
    void theDefaultAllowsEverythingAsBefore() {
        PipelineResult result = submit(options(receiver.url()).build(), Recordings.base(301)
                .video(Recordings.file(dir, "video.mkv", 100)).build());

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(PipelineOptions.builder().s3(s3.sharedClientOptions().build()).build().networkPolicy().allowsAll()).isTrue();
    }

    PipelineOptions.Builder options(String url) {
        return PipelineOptions.builder()
                .s3(s3.sharedClientOptions().build())
                .media(MediaOptions.disabled())
                .webhook(endpoint(url).build());
    }

    @Test
    void aPipelineWithPublicOnlyRefusesTheLoopbackReceiverAndSendsItNothing() {
        PipelineResult result = submit(options(receiver.url()).networkPolicy(NetworkPolicy.publicOnly()).build(),
                Recordings.base(302).video(Recordings.file(dir, "video.mkv", 100)).build());

        assertThat(result.status()).isEqualTo(Status.WEBHOOK_FAILED);
        assertThat(result.files()).allSatisfy(f -> assertThat(f.stored()).isTrue());
        WebhookOutcome webhook = result.webhooks().get(0);
        assertThat(webhook.state()).isEqualTo(WebhookOutcome.State.REJECTED);
        assertThat(webhook.attempts()).isEqualTo(1);
        assertThat(webhook.error()).isEqualTo("refused by the network policy: 127.0.0.1 is a loopback address "
                + "(127.0.0.0/8); not sent, not retried");
        assertThat(result.reason()).hasValueSatisfying(r -> assertThat(r).contains("loopback address"));
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void anAllowListedRangeIsDelivered() {
        PipelineResult result = submit(options(receiver.url())
                        .networkPolicy(NetworkPolicy.publicOnly().allowing("127.0.0.1/32")).build(),
                Recordings.base(303).video(Recordings.file(dir, "video.mkv", 100)).build());

        assertThat(result.status()).isEqualTo(Status.COMPLETED);
        assertThat(receiver.requests()).hasSize(1);
        assertThat(receiver.requests().get(0).headers().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void namesAreJudgedByTheAddressesTheyResolveTo() {
        NetworkPolicy policy = NetworkPolicy.publicOnly().allowing("allowed.example").withResolver(names(Map.of(
                "innocent.example", List.of("127.0.0.1"),
                "internal.example", List.of("10.0.0.1"),
                "metadata.example", List.of("169.254.169.254"),
                "mixed.example", List.of("10.0.0.1", "::ffff:127.0.0.1", "fd00::2"),
                "allowed.example", List.of("127.0.0.1"))));
        Function<String, String> url = host -> "http://" + host + ":" + receiver.port() + TestReceiver.PATH;

        assertThat(send(policy, endpoint(url.apply("innocent.example")).build(), 1).error())
                .isEqualTo("refused by the network policy: innocent.example resolves to 127.0.0.1, which is a loopback "
                        + "address (127.0.0.0/8); not sent, not retried");
        assertThat(send(policy, endpoint(url.apply("internal.example")).build(), 2).error())
                .contains("internal.example resolves to 10.0.0.1, which is a private address (10.0.0.0/8)");
        assertThat(send(policy, endpoint(url.apply("metadata.example")).build(), 3).error())
                .contains("169.254.169.254, which is a cloud metadata address");
        assertThat(send(policy, endpoint(url.apply("mixed.example")).build(), 4).error())
                .contains("mixed.example resolves only to refused addresses: 10.0.0.1 is a private address",
                        "127.0.0.1 is a loopback address", "fd00::2 is a unique-local address");
        assertThat(receiver.requests()).isEmpty();

        WebhookOutcome allowed = send(policy, endpoint(url.apply("allowed.example")).build(), 5);
        assertThat(allowed.state()).isEqualTo(WebhookOutcome.State.DELIVERED);
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void onlyTheAllowedAddressesOfANameAreConnectedTo() {
        NetworkPolicy policy = NetworkPolicy.publicOnly().allowing("127.0.0.1")
                .withResolver(names(Map.of("two.example", List.of("10.0.0.1", "127.0.0.1"))));

        WebhookOutcome outcome = send(policy, endpoint("http://two.example:" + receiver.port() + TestReceiver.PATH).build(), 6);

        assertThat(outcome.state()).isEqualTo(WebhookOutcome.State.DELIVERED);
        assertThat(outcome.attempts()).isEqualTo(1);
    }

    @Test
    void theAddressIsCheckedWhenConnectingNotWhenConfigured() {
        // DNS rebinding: the same name, first an allowed address, then an internal one
        AtomicInteger lookups = new AtomicInteger();
        NetworkPolicy policy = NetworkPolicy.publicOnly().allowing("127.0.0.1").withResolver(host ->
                Mono.fromSupplier(() -> List.of(address(lookups.incrementAndGet() == 1 ? "127.0.0.1" : "169.254.169.254"))));
        WebhookEndpoint rebinding = endpoint("http://rebind.example:" + receiver.port() + TestReceiver.PATH).build();

        assertThat(send(policy, rebinding, 7).state()).isEqualTo(WebhookOutcome.State.DELIVERED);
        WebhookOutcome second = send(policy, rebinding, 8);

        assertThat(second.state()).isEqualTo(WebhookOutcome.State.REJECTED);
        assertThat(second.error()).contains("169.254.169.254, which is a cloud metadata address");
        assertThat(lookups).hasValue(2);
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void realDnsNamesAreCheckedToo() {
        String localhost = "http://localhost:" + receiver.port() + TestReceiver.PATH;

        WebhookOutcome refused = send(NetworkPolicy.publicOnly(), endpoint(localhost).build(), 9);
        assertThat(refused.state()).isEqualTo(WebhookOutcome.State.REJECTED);
        assertThat(refused.error()).contains("localhost resolves").contains("loopback address");
        assertThat(receiver.requests()).isEmpty();

        WebhookOutcome allowed = send(NetworkPolicy.publicOnly().allowing("127.0.0.1"), endpoint(localhost).build(), 10);
        assertThat(allowed.state()).isEqualTo(WebhookOutcome.State.DELIVERED);
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void thisMachinesOwnAddressesAreRefused() throws Exception {
        InetAddress own = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst().orElse(null);
        Assumptions.assumeTrue(own != null, "this machine has an address other than loopback");
        NetworkPolicy policy = NetworkPolicy.publicOnly()
                .withResolver(names(Map.of("self.example", List.of(own.getHostAddress()))));

        WebhookOutcome outcome = send(policy, endpoint("http://self.example:" + receiver.port() + TestReceiver.PATH).build(), 11);

        assertThat(outcome.state()).isEqualTo(WebhookOutcome.State.REJECTED);
        assertThat(outcome.error()).startsWith("refused by the network policy: self.example resolves to "
                + io.netty.util.NetUtil.toAddressString(own) + ", which is ");
    }

    @Test
    void aMetadataAddressIsAllowedOnlyWhenNamedExactly() {
        InetAddress metadata = address("169.254.169.254");

        assertThat(NetworkPolicy.publicOnly().allowing("169.254.0.0/16").refusal(metadata))
                .hasValueSatisfying(r -> assertThat(r).contains("cloud metadata").contains("name it as one address"));
        assertThat(NetworkPolicy.publicOnly().allowing("169.254.0.0/16").refusal(address("169.254.1.1"))).isEmpty();
        assertThat(NetworkPolicy.publicOnly().allowing("metadata.example").refusal("metadata.example", metadata)).isPresent();
        assertThat(NetworkPolicy.publicOnly().allowing("169.254.169.254").refusal(metadata)).isEmpty();
    }

    @Test
    void allowListEntriesAreChecked() {
        NetworkPolicy policy = NetworkPolicy.publicOnly().allowing("10.1.0.0/16", "[fd12::1]", "*.internal.example",
                "Hooks.Example.");

        assertThat(policy.refusal(address("10.1.200.3"))).isEmpty();
        assertThat(policy.refusal(address("10.2.0.1"))).isPresent();
        assertThat(policy.refusal(address("fd12::1"))).isEmpty();
        assertThat(policy.refusal("a.b.internal.example", address("10.9.9.9"))).isEmpty();
        assertThat(policy.refusal("internal.example.evil.com", address("10.9.9.9"))).isPresent();
        assertThat(policy.refusal("hooks.example", address("10.9.9.9"))).isEmpty();
        assertThat(policy.allowed()).containsExactly("10.1.0.0/16", "[fd12::1]", "*.internal.example", "Hooks.Example.");
        assertThat(NetworkPolicy.publicOnly().allowing("10.0.0.0/8")).isNotSameAs(NetworkPolicy.publicOnly());
        assertThat(NetworkPolicy.publicOnly().allowed()).isEmpty();

        assertThatThrownBy(() -> NetworkPolicy.allowAll().allowing("10.0.0.0/8"))
                .hasMessageContaining("allowAll() allows every address already");
        assertThatThrownBy(() -> NetworkPolicy.publicOnly().allowing("10.0.0.0/33"))
                .hasMessageContaining("prefix length outside 0..32");
        assertThatThrownBy(() -> NetworkPolicy.publicOnly().allowing("not a host"))
                .hasMessageContaining("neither an address, a CIDR block nor a host name");
        assertThatThrownBy(() -> NetworkPolicy.publicOnly().allowing(" "))
                .hasMessageContaining("must not be blank");
    }
}
