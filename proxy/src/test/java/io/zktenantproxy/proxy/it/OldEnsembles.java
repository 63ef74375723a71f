package io.zktenantproxy.proxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link OldEnsemble} per release, started on first use and shared by the tests of a class (a server JVM takes
 * seconds to start); each in its own folder under the class's work folder. {@link #close} stops them all.
 */
public final class OldEnsembles implements AutoCloseable {
    private final Map<String, OldEnsemble> running = new HashMap<>();

    /**
     * @param release the server release ({@code "3.5.10"})
     * @param work    the folder the release's own folder is made in
     * @return the running server of that release
     */
    public synchronized OldEnsemble get(String release, Path work) throws IOException {
        OldEnsemble e = running.get(release);
        if (e == null) {
            e = OldEnsemble.start(release, Files.createDirectories(work.resolve(release)));
            running.put(release, e);
        }
        return e;
    }

    /** Stops every server started. */
    @Override
    public synchronized void close() {
        running.values().forEach(OldEnsemble::close);
        running.clear();
    }
}
