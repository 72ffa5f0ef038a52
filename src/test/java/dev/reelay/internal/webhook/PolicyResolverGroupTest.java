package dev.reelay.internal.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reelay.webhook.NetworkPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rule no literal can show from outside: a public address of this very machine (here, pretended). */
class PolicyResolverGroupTest {

    static InetAddress address(String literal) throws Exception {
        return InetAddress.getByName(literal); // a literal: no lookup
    }

    @Test
    void aPublicAddressOfThisMachineIsRefusedUnlessNamedInTheAllowList() throws Exception {
        InetAddress own = address("203.0.114.7");
        InetAddress other = address("93.184.215.14");

        PolicyResolverGroup group = new PolicyResolverGroup(NetworkPolicy.publicOnly(), null, Set.of(own));
        assertThatThrownBy(() -> group.allowed("self.example", List.of(own), 443))
                .isInstanceOf(PolicyResolverGroup.PolicyRefusal.class)
                .hasMessage("refused by the network policy: self.example resolves to 203.0.114.7, which is an address of "
                        + "this machine");
        assertThat(group.allowed("self.example", List.of(own, other), 443)).containsExactly(new InetSocketAddress(other, 443));
        assertThat(group.allowed(null, List.of(other), 8443)).containsExactly(new InetSocketAddress(other, 8443));

        PolicyResolverGroup allowing = new PolicyResolverGroup(NetworkPolicy.publicOnly().allowing("203.0.114.7"), null,
                Set.of(own));
        assertThat(allowing.allowed("self.example", List.of(own), 443)).hasSize(1);
        group.close();
        allowing.close();
    }

    @Test
    void everyPolicyRefusalIsPermanent() {
        assertThat(WebhookSender.retryable(new PolicyResolverGroup.PolicyRefusal("refused"))).isFalse();
        assertThat(WebhookSender.retryable(new RuntimeException(new java.io.IOException("wrapped",
                new PolicyResolverGroup.PolicyRefusal("refused"))))).isFalse();
    }
}
