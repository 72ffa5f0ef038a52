package dev.reelay.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What Linux and the JVM say about processes: CPU time, resident memory, heap. */
final class Proc {

    /** Linux reports process times in clock ticks of 1/100 s on every platform the JDK runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private Proc() {
    }

    /** CPU time (user + system) of this JVM so far. */
    static long selfCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time (user + system) of another process so far, from /proc; 0 when it cannot be read. */
    static long cpuNanos(long pid) {
        return statTicks(Long.toString(pid), 11, 12) * NANOS_PER_TICK;
    }

    /**
     * CPU time (user + system) of this process's children that have ended and been waited for, with their own
     * waited-for children (cutime + cstime, what {@code getrusage(RUSAGE_CHILDREN)} counts), from /proc; 0 when it
     * cannot be read. The JVM waits for a child as soon as it exits, so once {@link Process#waitFor()} returned, the
     * whole process tree of that child is in here.
     */
    static long endedChildrenCpuNanos() {
        return statTicks("self", 13, 14) * NANOS_PER_TICK;
    }

    /** The sum of two fields of /proc/<pid>/stat, counted from 0 after the command name; 0 when unreadable. */
    private static long statTicks(String pid, int first, int second) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // The command name may hold spaces: fields are counted after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[first]) + Long.parseLong(f[second]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A field of /proc/self/status in KiB, e.g. {@code VmHWM} (peak resident set); -1 when absent. */
    static long statusKiB(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Heap in use now. */
    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap in use after full collections: what is really held. */
    static long heapUsedAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return heapUsed();
    }

    static List<String> heapPoolNames() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName)
                .toList();
    }

    /** Busy CPU time of the whole machine so far (all processes, ours and others'), from /proc/stat. */
    static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + (f.length > 8 ? Long.parseLong(f[8]) : 0);
            return busy * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Bytes a process passed to read(2) and write(2) so far (files and sockets alike), from /proc; 0 when unknown. */
    static long[] ioBytes(long pid) {
        long read = 0;
        long written = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith("rchar:")) {
                    read = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("wchar:")) {
                    written = Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
        return new long[] {read, written};
    }

    /**
     * CPU time of the harness, of the harness's children that ended (a contender run as a whole
     * process), of its servers (the latency proxy's 0 when there is none) and of the whole
     * machine, and the bytes the S3 server read and wrote: taken before and after a run, their
     * difference says where the time went.
     */
    record Cpu(long harness, long endedChildren, long s3, long receiver, long proxy, long machine, long s3Read,
               long s3Written) {
        static Cpu now(ChildJvm s3, ChildJvm receiver) {
            return now(s3, receiver, null);
        }

        static Cpu now(ChildJvm s3, ChildJvm receiver, ChildJvm proxy) {
            long[] io = s3 == null ? new long[] {0, 0} : ioBytes(s3.pid());
            return new Cpu(selfCpuNanos(), endedChildrenCpuNanos(), s3 == null ? 0 : s3.cpuNanos(),
                    receiver == null ? 0 : receiver.cpuNanos(), proxy == null ? 0 : proxy.cpuNanos(), machineBusyNanos(),
                    io[0], io[1]);
        }

        Cpu since(Cpu before) {
            return new Cpu(harness - before.harness, endedChildren - before.endedChildren, s3 - before.s3,
                    receiver - before.receiver, proxy - before.proxy, machine - before.machine, s3Read - before.s3Read,
                    s3Written - before.s3Written);
        }

        /** CPU time of processes that are not ours (other work on the machine, the kernel's own threads). */
        long others() {
            return Math.max(0, machine - harness - endedChildren - s3 - receiver - proxy);
        }
    }
}
