package dev.reelay.support;

import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Seeded random values for tests that check a property over many generated inputs: plain JUnit
 * parameterized tests call {@link #random(int)} for each case and put {@link #replay()} in the
 * failure message, so that any failure can be run again exactly.
 *
 * <p>Each run picks a new seed unless {@code -Dreelay.seed=…} gives one, so that every run tries
 * new cases; {@code -Dreelay.tries=…} changes the number of cases of the tests that ask
 * {@link #tries(int)}.
 *
 * <pre>{@code
 * mvn test -Dtest=MetadataAssemblerPropertyTest -Dreelay.seed=-4102213385542957063
 * }</pre>
 */
public final class Generated {

    /** The seed of this JVM's run: one for all cases, so that one number replays all of them. */
    private static final long SEED = Long.getLong("reelay.seed", new SecureRandom().nextLong());

    /**
     * Code points that have broken text handling somewhere: controls, NUL, bidi controls,
     * joiners, BOM, noncharacters, line separators, combining marks, JSON's own specials, the
     * last code point, a dotted capital I, emoji that need a surrogate pair.
     */
    private static final int[] SPECIAL = {
        0x0000, 0x0009, 0x000A, 0x000D, 0x001B, 0x001F, 0x007F, 0x0080, 0x0085, 0x009F, 0x00A0, 0x00AD,
        '"', '\\', '/', '<', '>', '&', '\'', '%', '{', '}', 0x00E9, 0x00FC, 0x0130, 0x0131, 0x0301, 0x0338,
        0x05D0, 0x0627, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B, 0x202C,
        0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x3000, 0xFE0F, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF,
        0x10000, 0x1F1FA, 0x1F3AC, 0x1F469, 0x1F4A9, 0x1F600, 0x1FAE0, 0xE0001, 0x10FFFF,
    };

    private Generated() {
    }

    /** The run's seed: {@code -Dreelay.seed}, else a new random one. */
    public static long seed() {
        return SEED;
    }

    /** {@code -Dreelay.tries}, else {@code fallback}. */
    public static int tries(int fallback) {
        return Integer.getInteger("reelay.tries", fallback);
    }

    /** The arguments of a parameterized test of {@code tries} cases: each case's index and the run's seed. */
    public static Stream<Arguments> cases(int tries) {
        return IntStream.range(0, tries).mapToObj(i -> Arguments.of(i, SEED));
    }

    /** The generator of case {@code index} of this run; the same seed and index give the same values. */
    public static SplittableRandom random(int index) {
        // SplittableRandom mixes its state on every output: neighbouring seeds give unrelated sequences.
        return new SplittableRandom(SEED + index);
    }

    /** What to put in a failure message: the seed and how to run the same cases again. */
    public static String replay(int index) {
        return "case " + index + " of seed " + SEED + " (replay: -Dreelay.seed=" + SEED + ")";
    }

    /** Runs one case's checks; a failure names the case and the seed that replays it. */
    public static void check(int index, Executable checks) {
        try {
            checks.execute();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError e) {
                throw e;
            }
            throw new AssertionError(replay(index) + ": " + t, t);
        }
    }

    /**
     * Any valid Unicode text of at most {@code maxChars} UTF-16 chars, from the whole range: ASCII,
     * C0 and C1 controls, every BMP code point but surrogates (private use and noncharacters
     * included), supplementary planes (surrogate pairs, emoji), and the {@link #SPECIAL} ones.
     * Never a lone surrogate. Empty and full-length strings come often, as edge cases should.
     */
    public static String anyText(SplittableRandom r, int maxChars) {
        int length = length(r, 0, maxChars);
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            int cp = anyCodePoint(r);
            if (sb.length() + Character.charCount(cp) > length) {
                cp = r.nextInt(0x20, 0x7F); // one char left: a pair would not fit
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** One code point from anywhere in Unicode except the surrogate range, edge-heavy. */
    public static int anyCodePoint(SplittableRandom r) {
        int kind = r.nextInt(100);
        if (kind < 25) {
            return r.nextInt(0x20, 0x7F);                                 // printable ASCII
        } else if (kind < 35) {
            int c = r.nextInt(0x20 + 0x21);                               // C0, DEL and C1 controls
            return c < 0x20 ? c : 0x7F + (c - 0x20);
        } else if (kind < 60) {
            int c = r.nextInt(0x10000 - 0x800);                           // the BMP without surrogates
            return c < 0xD800 ? c : c + 0x800;
        } else if (kind < 75) {
            return r.nextInt(0x10000, 0x110000);                          // supplementary planes
        } else if (kind < 85) {
            return r.nextInt(0x1F300, 0x1FB00);                           // emoji and pictographs
        } else {
            return SPECIAL[r.nextInt(SPECIAL.length)];
        }
    }

    /** Text of {@code min} to {@code max} chars drawn from {@code alphabet} (code points, so pairs stay whole). */
    public static String textOf(SplittableRandom r, String alphabet, int min, int max) {
        int[] codePoints = alphabet.codePoints().toArray();
        int length = length(r, min, max);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.appendCodePoint(codePoints[r.nextInt(codePoints.length)]);
        }
        return sb.toString();
    }

    /** A length from {@code min} to {@code max}: the bounds themselves one time in five, else uniform. */
    public static int length(SplittableRandom r, int min, int max) {
        int edge = r.nextInt(10);
        if (edge == 0) {
            return min;
        }
        if (edge == 1) {
            return max;
        }
        return r.nextInt(min, max + 1);
    }

    /** A long from {@code min} to {@code max} inclusive: the bounds and their neighbours now and then, else uniform. */
    public static long between(SplittableRandom r, long min, long max) {
        return switch (r.nextInt(20)) {
            case 0 -> min;
            case 1 -> max;
            case 2 -> Math.min(max, min + 1);
            case 3 -> Math.max(min, max - 1);
            default -> max < Long.MAX_VALUE ? r.nextLong(min, max + 1) : r.nextLong(min - 1, max) + 1;
        };
    }

    /** One of {@code values}. */
    public static <T> T oneOf(SplittableRandom r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    /** {@code null} with the given probability, else {@code value}. */
    public static <T> T orNull(SplittableRandom r, double probabilityOfNull, T value) {
        return r.nextDouble() < probabilityOfNull ? null : value;
    }
}
