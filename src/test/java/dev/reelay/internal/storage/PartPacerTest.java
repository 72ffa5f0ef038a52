package dev.reelay.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Parts in flight follow the link: fewer when more only makes each part slower. */
class PartPacerTest {

    static final long PART = 8L << 20;

    /** Simulates parts through a link: each part gets an equal share of {@code total}, or at most {@code perPart}. */
    static int run(PartPacer pacer, double total, double perPart, int parts) {
        int most = 0;
        for (int i = 0; i < parts; i++) {
            int n = pacer.limit();
            most = Math.max(most, n);
            double each = Math.min(perPart, total / n);
            pacer.sample(PART, (long) (PART / each * 1e9), n);
        }
        return most;
    }

    @Test
    void aFullSlowLinkSettlesOnOnePartProbingTwoNowAndThen() {
        PartPacer pacer = new PartPacer(32);

        int most = run(pacer, 256 * 1024, Double.MAX_VALUE, 200);

        assertThat(most).isEqualTo(2);
        assertThat(pacer.limit()).isBetween(1, 2);
    }

    @Test
    void aFastLinkWhereEachConnectionIsTheLimitClimbsToTheMaximum() {
        PartPacer pacer = new PartPacer(16);

        // 10 Gbit/s of link, 20 MiB/s a connection (latency-bound): 16 parts carry 16 times one
        run(pacer, 1.25e9, 20 * 1024 * 1024, 400);

        assertThat(pacer.limit()).isEqualTo(16);
    }

    @Test
    void aLinkThatFillsAtFourPartsStaysNearFour() {
        PartPacer pacer = new PartPacer(32);

        run(pacer, 4 * 10e6, 10e6, 400);

        assertThat(pacer.limit()).isBetween(4, 5);
    }
}
