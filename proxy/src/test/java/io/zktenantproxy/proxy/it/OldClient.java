package io.zktenantproxy.proxy.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A ZooKeeper Java client of another version than the test class path's, loaded from a folder of jars in a class
 * loader of its own (parent: the platform class loader; plus the test class path's slf4j-api, which every 3.5+
 * client logs through) and driven by reflection: {@code org.apache.zookeeper.ZooKeeper}'s synchronous and
 * asynchronous {@code create}, {@code multi} and {@code getData}, and {@code delete}, with the old client's own
 * {@code ACL}, {@code CreateMode}, {@code Op} and callback classes. Connection states the client reports to its default
 * watcher are kept in order.
 *
 * <p>Only what {@link OldClientQuotaIT} needs: every node is persistent with an open ACL.
 */
final class OldClient implements AutoCloseable {
    private final URLClassLoader loader;
    private final Object zk;
    private final List<String> states = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> stateQueue = new LinkedBlockingQueue<>();
    private final Class<?> zooKeeper;
    private final Object openAcl;
    private final Object persistent;

    private OldClient(URLClassLoader loader, String connectString, int sessionTimeoutMs) throws Exception {
        this.loader = loader;
        this.zooKeeper = type("org.apache.zookeeper.ZooKeeper");
        this.openAcl = type("org.apache.zookeeper.ZooDefs$Ids").getField("OPEN_ACL_UNSAFE").get(null);
        this.persistent = type("org.apache.zookeeper.CreateMode").getField("PERSISTENT").get(null);
        Class<?> watcher = type("org.apache.zookeeper.Watcher");
        Object defaultWatcher = implement(watcher, args -> {
            Object event = args[0];
            if ("None".equals(call(event, "getType").toString())) {
                String state = call(event, "getState").toString();
                states.add(state);
                stateQueue.add(state);
            }
        });
        this.zk = zooKeeper.getConstructor(String.class, int.class, watcher)
                .newInstance(connectString, sessionTimeoutMs, defaultWatcher);
    }

    /**
     * @param jars the folder holding the client's jars ({@code zookeeper-V.jar}, {@code zookeeper-jute-V.jar})
     * @return a class loader that sees those jars, slf4j-api and the JDK, nothing of the test class path else
     */
    static URLClassLoader loader(Path jars) throws IOException, URISyntaxException {
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> files = Files.list(jars)) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
        }
        if (urls.isEmpty()) {
            fail("no jars in " + jars + " (the maven-dependency-plugin execution old-zookeeper-clients fills it)");
        }
        urls.add(org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI().toURL());
        return new URLClassLoader("zookeeper-" + jars.getFileName(), urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader());
    }

    /** A client of the version {@code loader} holds, connected (waits for SyncConnected). */
    static OldClient connect(URLClassLoader loader, String connectString, int sessionTimeoutMs) throws Exception {
        OldClient client = new OldClient(loader, connectString, sessionTimeoutMs);
        try {
            client.awaitState("SyncConnected");
        } catch (Throwable e) {
            client.close();
            throw e;
        }
        return client;
    }

    /** @return {@code org.apache.zookeeper.Version.getFullVersion()} of the client {@code loader} holds */
    static String version(ClassLoader loader) throws Exception {
        return (String) Class.forName("org.apache.zookeeper.Version", true, loader).getMethod("getFullVersion")
                .invoke(null);
    }

    long sessionId() throws Exception {
        return (Long) call(zk, "getSessionId");
    }

    /** @return every connection state reported so far, in order ({@code "SyncConnected"}, {@code "Disconnected"}...) */
    List<String> states() {
        return List.copyOf(states);
    }

    /** Synchronous {@code create(path, data, OPEN_ACL_UNSAFE, PERSISTENT)}; throws what the client throws. */
    String create(String path, byte[] data) throws Throwable {
        return (String) invoke(zooKeeper.getMethod("create", String.class, byte[].class, List.class,
                persistent.getClass()), zk, path, data, openAcl, persistent);
    }

    /** Synchronous {@code delete(path, -1)}; throws what the client throws. */
    void delete(String path) throws Throwable {
        invoke(zooKeeper.getMethod("delete", String.class, int.class), zk, path, -1);
    }

    /** Asynchronous create of a persistent node: the {@code rc} its {@code StringCallback} gets. */
    int createAsync(String path, byte[] data) throws Exception {
        Class<?> callbackType = type("org.apache.zookeeper.AsyncCallback$StringCallback");
        CompletableFuture<Integer> rc = new CompletableFuture<>();
        Object callback = implement(callbackType, args -> rc.complete((Integer) args[0]));
        zooKeeper.getMethod("create", String.class, byte[].class, List.class, persistent.getClass(), callbackType,
                Object.class).invoke(zk, path, data, openAcl, persistent, callback, null);
        return await(rc, "the StringCallback of create " + path);
    }

    /**
     * Synchronous {@code multi}: {@code check(checked, -1)}, then a persistent create of each of {@code paths}.
     *
     * @return the results formatted by {@link #results}; what the client throws is thrown as is
     */
    List<String> multi(String checked, String... paths) throws Throwable {
        return results((List<?>) invoke(zooKeeper.getMethod("multi", Iterable.class), zk, ops(checked, paths)));
    }

    /** Asynchronous {@link #multi}: {@code "rc=N [results]"} as its MultiCallback gets them. */
    String multiAsync(String checked, String... paths) throws Exception {
        Class<?> callbackType = type("org.apache.zookeeper.AsyncCallback$MultiCallback");
        CompletableFuture<String> got = new CompletableFuture<>();
        Object callback = implement(callbackType,
                args -> got.complete("rc=" + args[0] + " " + results((List<?>) args[3])));
        zooKeeper.getMethod("multi", Iterable.class, callbackType, Object.class)
                .invoke(zk, ops(checked, paths), callback, null);
        return await(got, "the MultiCallback of multi " + List.of(paths));
    }

    /** Asynchronous {@code getData(path, false, cb, null)}: the {@code rc} its {@code DataCallback} gets. */
    int getDataAsync(String path) throws Exception {
        Class<?> callbackType = type("org.apache.zookeeper.AsyncCallback$DataCallback");
        CompletableFuture<Integer> rc = new CompletableFuture<>();
        Object callback = implement(callbackType, args -> rc.complete((Integer) args[0]));
        zooKeeper.getMethod("getData", String.class, boolean.class, callbackType, Object.class)
                .invoke(zk, path, false, callback, null);
        return await(rc, "the DataCallback of getData " + path);
    }

    /** Synchronous {@code getData(path, false, null)}. */
    byte[] getData(String path) throws Throwable {
        return (byte[]) invoke(zooKeeper.getMethod("getData", String.class, boolean.class,
                type("org.apache.zookeeper.data.Stat")), zk, path, false, null);
    }

    /**
     * @return {@code OpResult}s as {@code CreateResult(/a)}, {@code ErrorResult(-125)} (the class's simple name and
     *     what distinguishes it); {@code null} for none
     */
    static List<String> results(List<?> results) throws Exception {
        if (results == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object r : results) {
            String name = r.getClass().getSimpleName();
            out.add(switch (name) {
                case "ErrorResult" -> name + "(" + call(r, "getErr") + ")";
                case "CreateResult" -> name + "(" + call(r, "getPath") + ")";
                default -> name;
            });
        }
        return out;
    }

    /** Closes the session, then the class loader. */
    @Override
    public void close() throws IOException {
        try {
            call(zk, "close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("closing the client", e);
        } finally {
            loader.close();
        }
    }

    /** Waits for the connection state {@code state} (queued: a state reported before the call counts). */
    private void awaitState(String state) throws InterruptedException {
        long end = System.nanoTime() + Events.DEADLINE.toNanos();
        while (true) {
            String s = stateQueue.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (state.equals(s)) {
                return;
            }
            if (s == null) {
                fail("connection state " + state + " not reported within " + Events.DEADLINE + "; history " + states);
            }
        }
    }

    private List<Object> ops(String checked, String... paths) throws Exception {
        Class<?> op = type("org.apache.zookeeper.Op");
        Method create = op.getMethod("create", String.class, byte[].class, List.class, persistent.getClass());
        List<Object> ops = new ArrayList<>();
        ops.add(op.getMethod("check", String.class, int.class).invoke(null, checked, -1));
        for (String path : paths) {
            ops.add(create.invoke(null, path, new byte[0], openAcl, persistent));
        }
        return ops;
    }

    private Class<?> type(String name) throws ClassNotFoundException {
        return Class.forName(name, true, loader);
    }

    /** What a callback does with the arguments of its one abstract method. */
    private interface Body {
        void run(Object[] args) throws Exception;
    }

    /** @return an instance of the old client's interface {@code type} whose one method runs {@code body} */
    private Object implement(Class<?> type, Body body) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> type.getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(proxy));
                };
            }
            body.run(args);
            return null;
        };
        return java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {type}, handler);
    }

    private static <T> T await(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(Events.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return fail(what + " was not called within " + Events.DEADLINE);
        }
    }

    /** Calls {@code method}; what it throws is thrown as is, not wrapped. */
    private static Object invoke(Method method, Object target, Object... args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Object call(Object target, String method) throws Exception {
        try {
            return target.getClass().getMethod(method).invoke(target);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }
}
