package io.zktenantproxy.proxy.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.io.monitor.FileAlterationListenerAdaptor;
import org.apache.commons.io.monitor.FileAlterationMonitor;
import org.apache.commons.io.monitor.FileAlterationObserver;

/**
 * Calls back when any of a set of files changes (Apache Commons IO's polling monitor, one thread): certificate files,
 * the configuration file. Polls the files' folders rather than subscribing to file events, because Kubernetes updates
 * a mounted Secret or ConfigMap by swapping
 * the {@code ..data} symlink the files point through: the file itself is never written, but what it resolves to
 * changes size and modification time, which a poll sees. One callback per poll, however many files changed.
 */
public final class FileChangeWatcher implements AutoCloseable {
    private final FileAlterationMonitor monitor;

    private FileChangeWatcher(FileAlterationMonitor monitor) {
        this.monitor = monitor;
    }

    /**
     * Starts watching.
     *
     * @param name      the monitor thread's name ({@code certificate-watcher}, {@code config-watcher})
     * @param files     the files; their folders are polled
     * @param interval  time between polls
     * @param onChanged called on the monitor's thread after a poll that saw a change
     */
    public static FileChangeWatcher start(String name, List<Path> files, Duration interval, Runnable onChanged) {
        Map<Path, Set<String>> byFolder = new LinkedHashMap<>();
        for (Path file : files) {
            Path absolute = file.toAbsolutePath();
            byFolder.computeIfAbsent(absolute.getParent(), d -> new java.util.HashSet<>())
                    .add(absolute.getFileName().toString());
        }
        FileAlterationMonitor monitor = new FileAlterationMonitor(interval.toMillis());
        monitor.setThreadFactory(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        ChangeListener listener = new ChangeListener(onChanged);
        for (Map.Entry<Path, Set<String>> folder : byFolder.entrySet()) {
            Set<String> names = Set.copyOf(folder.getValue());
            try {
                FileAlterationObserver observer = FileAlterationObserver.builder()
                        .setFile(folder.getKey().toFile())
                        .setFileFilter(f -> names.contains(f.getName()))
                        .get();
                observer.addListener(listener);
                monitor.addObserver(observer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            monitor.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot watch " + byFolder.keySet().stream().map(Path::toString)
                    .collect(Collectors.joining(", ")), e);
        }
        return new FileChangeWatcher(monitor);
    }

    @Override
    public void close() {
        try {
            monitor.stop(0);
        } catch (Exception e) {
            // already stopped
        }
    }

    /** Collects the changes one poll sees and reports them once, when the poll ends. */
    private static final class ChangeListener extends FileAlterationListenerAdaptor {
        private final Runnable onChanged;
        private boolean changed;

        ChangeListener(Runnable onChanged) {
            this.onChanged = onChanged;
        }

        @Override
        public void onFileChange(java.io.File file) {
            changed = true;
        }

        @Override
        public void onFileCreate(java.io.File file) {
            changed = true;
        }

        @Override
        public void onStop(FileAlterationObserver observer) {
            if (changed) {
                changed = false;
                onChanged.run();
            }
        }
    }
}
