package io.sparkalex.storage;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One run per output directory: {@value #FILE} in {@code --out} names the run that holds it
 * (run id, host, process, start) and the time of its last heartbeat, renewed by a daemon thread.
 * A second run finds a fresh heartbeat and stops at once ({@link HeldException}); a lease whose
 * heartbeat is older than the timeout, or whose process is gone from this host, belongs to a run
 * that died, and is taken over (logged). The lease file is created exclusively (HDFS's create
 * without overwrite, {@code O_EXCL} on local disk), so two runs starting together cannot both win.
 */
public final class OutputLease implements AutoCloseable {
    public static final String FILE = "_lease.json";
    private static final Logger log = LoggerFactory.getLogger(OutputLease.class);

    /** The lease file's content. */
    public record Holder(String runId, String host, long pid, String startedAt, String heartbeatAt) {
        Holder beat() {
            return new Holder(runId, host, pid, startedAt, Instant.now().toString());
        }
    }

    /** Another live run holds the output directory. */
    public static final class HeldException extends RuntimeException {
        public HeldException(String message) {
            super(message);
        }
    }

    private final FileSystem fs;
    private final Path file;
    private final ScheduledExecutorService heartbeat;
    private volatile Holder mine;
    private volatile String lost;

    private OutputLease(FileSystem fs, Path file, Holder mine, Duration every) {
        this.fs = fs;
        this.file = file;
        this.mine = mine;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparkalex-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lease of {@code dir} for {@code runId}, renewing it every {@code timeout / 4}.
     *
     * @throws HeldException when a live run holds it
     */
    public static OutputLease acquire(FileSystem fs, Path dir, String runId, Duration timeout) throws IOException {
        Path file = new Path(dir, FILE);
        Holder mine = new Holder(runId, host(), ProcessHandle.current().pid(), Instant.now().toString(),
                Instant.now().toString());
        for (int attempt = 0; attempt < 3; attempt++) {
            if (createExclusively(fs, file, mine)) {
                return new OutputLease(fs, file, mine, timeout.dividedBy(4));
            }
            Holder other = read(fs, file);
            if (other == null) {
                continue;   // released or unreadable between our two calls: try again
            }
            String staleBecause = staleBecause(other, timeout);
            if (staleBecause == null) {
                throw new HeldException(String.format("another run holds %s: run %s on %s (process %d), started %s, "
                        + "last heartbeat %s; wait for it to finish, or use another --out (a lease whose heartbeat "
                        + "is older than %d s is taken over)", dir, other.runId(), other.host(), other.pid(),
                        other.startedAt(), other.heartbeatAt(), timeout.toSeconds()));
            }
            log.warn("taking over the lease of {} from run {} on {} (started {}): {}", Uris.redact(dir.toString()), other.runId(),
                    other.host(), other.startedAt(), staleBecause);
            fs.delete(file, false);
        }
        throw new IOException("could not take the lease " + file + " after three attempts");
    }

    /** Why a holder is no longer alive, or null when it may be. */
    static String staleBecause(Holder h, Duration timeout) {
        Duration age = Duration.between(Instant.parse(h.heartbeatAt()), Instant.now());
        if (age.compareTo(timeout) > 0) {
            return "its last heartbeat is " + age.toSeconds() + " s old";
        }
        if (h.host().equals(host()) && ProcessHandle.of(h.pid()).map(p -> !p.isAlive()).orElse(true)) {
            return "its process " + h.pid() + " on this host has exited";
        }
        return null;
    }

    private static boolean createExclusively(FileSystem fs, Path file, Holder holder) throws IOException {
        byte[] json = Json.pretty(holder).getBytes(StandardCharsets.UTF_8);
        if ("file".equals(fs.getUri().getScheme())) {
            try {   // Hadoop's local create(overwrite=false) checks and creates in two steps; O_EXCL is one
                Files.write(Paths.get(fs.makeQualified(file).toUri()), json, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.write(json);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(file)) {
                return false;   // some file systems report the race as a generic IOException
            }
            throw e;
        }
    }

    private static Holder read(FileSystem fs, Path file) {
        try {
            return Json.read(AtomicFiles.readString(fs, file), Holder.class);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void beat() {
        try {
            Holder now = read(fs, file);
            if (now == null || !now.runId().equals(mine.runId())) {
                lost = now == null ? "the lease file " + file + " disappeared"
                        : "run " + now.runId() + " on " + now.host() + " took over " + file;
                log.error("lost the output directory: {}", Uris.redact(lost));
                heartbeat.shutdown();
                return;
            }
            mine = mine.beat();
            AtomicFiles.write(fs, file, out -> out.write(Json.pretty(mine).getBytes(StandardCharsets.UTF_8)), false);
        } catch (IOException | RuntimeException e) {
            log.warn("could not renew the lease {}: {}", Uris.redact(file.toString()), Uris.redact(e.toString()));
        }
    }

    /** Throws if another run has taken the directory over (this run was thought dead): it must not write there. */
    public void check() {
        if (lost != null) {
            throw new HeldException("this run no longer holds its output directory: " + lost);
        }
    }

    /** Stops the heartbeat and removes the lease, if it is still this run's. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            Holder now = read(fs, file);
            if (now != null && now.runId().equals(mine.runId())) {
                fs.delete(file, false);
            }
        } catch (IOException e) {
            log.warn("could not remove the lease {}: {}", Uris.redact(file.toString()), Uris.redact(e.toString()));
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
