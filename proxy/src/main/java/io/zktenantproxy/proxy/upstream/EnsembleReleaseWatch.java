package io.zktenantproxy.proxy.upstream;

import io.zktenantproxy.protocol.EnsembleFeatures;
import io.zktenantproxy.protocol.EnsembleVersion;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the ensemble's servers their release again every period ({@code upstream.versionCheckMs}) and updates the
 * {@link EnsembleFeatures} every connection consults, so the proxy follows a rolling upgrade without a restart: once
 * the last server runs the new release, the opcodes it added are forwarded; while any server is older (or after a
 * roll-back) they are answered -6 again. The oldest answer wins, as at start ({@link EnsembleProbe#oldest}).
 *
 * <p>A check where no server answers keeps what was known (a restarting ensemble is not a downgrade). An answer
 * older than {@link EnsembleVersion#OLDEST_SUPPORTED} is logged as an error and not applied. One daemon thread.
 */
public final class EnsembleReleaseWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EnsembleReleaseWatch.class);
    private static final Duration SRVR_TIMEOUT = Duration.ofSeconds(2);

    private final String connectString;
    private final EnsembleFeatures features;
    private final ScheduledExecutorService scheduler;

    private EnsembleReleaseWatch(String connectString, EnsembleFeatures features, Duration period) {
        this.connectString = connectString;
        this.features = features;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ensemble-release-check");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * @param connectString the ensemble, {@code host:port,...} (plain TCP: {@code srvr} is not asked over TLS)
     * @param features      what the connections consult; updated in place
     * @param period        time between checks, positive
     * @return the running watch; {@link #close} it
     */
    public static EnsembleReleaseWatch start(String connectString, EnsembleFeatures features, Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period " + period);
        }
        return new EnsembleReleaseWatch(connectString, features, period);
    }

    /** One check: ask every server, apply the oldest answer if it differs. Public for tests. */
    public void check() {
        try {
            Optional<EnsembleVersion> answer = EnsembleProbe.oldest(connectString, SRVR_TIMEOUT);
            if (answer.isEmpty()) {
                return;
            }
            EnsembleVersion now = answer.get();
            EnsembleVersion before = features.version();
            if (Objects.equals(now, before)) {
                return;
            }
            if (!now.supported()) {
                LOG.error("ensemble release {} (srvr) is older than {}, which the proxy needs; keeping {}", now,
                        EnsembleVersion.OLDEST_SUPPORTED, before == null ? "unknown" : before);
                return;
            }
            features.learnt(now);
            LOG.info("ensemble release changed from {} to {} (srvr): opcodes it lacks are answered UNIMPLEMENTED by "
                    + "the proxy, the others forwarded", before == null ? "unknown" : before, now);
        } catch (RuntimeException e) {
            // a failed check must not end the schedule: the next one tries again
            LOG.warn("ensemble release check failed", e);
        }
    }

    /** Stops checking. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
