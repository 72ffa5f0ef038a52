package dev.reelay.bench;

import java.util.function.Supplier;

/** Wall time and the CPU time of the harness and its servers between {@link #start} and {@link #stop}. */
final class Stopwatch {

    private final Supplier<Proc.Cpu> cpu;
    private long startNanos;
    private long stopNanos;
    private Proc.Cpu startCpu;
    private Proc.Cpu stopCpu;

    Stopwatch(Supplier<Proc.Cpu> cpu) {
        this.cpu = cpu;
    }

    void start() {
        startCpu = cpu.get();
        startNanos = System.nanoTime();
    }

    void stop() {
        stopNanos = System.nanoTime();
        stopCpu = cpu.get();
    }

    long nanos() {
        if (stopCpu == null) {
            throw new IllegalStateException("the stopwatch was not stopped");
        }
        return stopNanos - startNanos;
    }

    Proc.Cpu cpu() {
        return stopCpu.since(startCpu);
    }
}
