package io.zktenantproxy.proxy.compat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * A class loader holding one client under test (folders of jars) and, defined in it from the test class path's own
 * class files, the scenario drivers of package {@value #DRIVERS}: so a driver compiled against ZooKeeper 3.9.5 and
 * Curator 5.9 links against the client in the folders, whatever its release. Its parent is the platform class loader;
 * besides the folders it takes {@code org.slf4j} from the test class path (so the clients log through the tests'
 * Logback) and, when asked, Guava (plain Curator needs it; Flink's shaded Curator carries its own).
 *
 * <p>For Flink's {@code flink-shaded-zookeeper-3}, whose ZooKeeper and Curator live under relocated packages, the
 * drivers' references are rewritten with ASM's {@link ClassRemapper} by the relocations given (internal-name prefixes,
 * {@code org/apache/zookeeper/} to {@code org/apache/flink/shaded/zookeeper3/org/apache/zookeeper/}).
 *
 * <p>One patch, for ZooKeeper 3.4 clients only ({@link HostStringPatch}): their {@code StaticHostProvider} finds the
 * host of an unresolved address by parsing {@code InetSocketAddress.toString()}, whose format Java 14 changed, so on
 * this machine's Java 17 they never connect to anything. The patch makes that one private method return
 * {@code getHostString()}, which is what it parsed out on the Java 8 and 11 those clients ran on.
 */
final class ClientLoader extends URLClassLoader {
    /** The package whose classes are defined here rather than taken from the test class path. */
    static final String DRIVERS = "io.zktenantproxy.proxy.compat.driver";

    private final Map<String, String> relocations;
    private final boolean hostStringPatch;

    private ClientLoader(String name, URL[] urls, Map<String, String> relocations, boolean hostStringPatch) {
        super(name, urls, ClassLoader.getPlatformClassLoader());
        this.relocations = relocations;
        this.hostStringPatch = hostStringPatch;
    }

    /**
     * @param name        the client's name, for stack traces
     * @param folders     folders of the client's jars; each must hold at least one jar
     * @param relocations internal-name prefix to its relocated prefix; empty for a plain client
     * @param withGuava   whether the test class path's Guava is added (plain Curator)
     * @param hostStringPatch whether to apply {@link HostStringPatch} (ZooKeeper 3.4 clients)
     * @throws IllegalStateException naming the Maven execution that fills a folder when one holds no jar
     */
    static ClientLoader of(String name, List<Path> folders, Map<String, String> relocations, boolean withGuava,
                           boolean hostStringPatch) {
        List<URL> urls = new ArrayList<>();
        try {
            for (Path folder : folders) {
                List<Path> jars = jars(folder);
                if (jars.isEmpty()) {
                    throw new IllegalStateException("no jars in " + folder.toAbsolutePath()
                            + " (the maven-dependency-plugin execution compat-clients of proxy/pom.xml fills it)");
                }
                for (Path jar : jars) {
                    urls.add(jar.toUri().toURL());
                }
            }
            if (withGuava) {
                urls.add(locationOf(com.google.common.base.Preconditions.class));
                urls.add(locationOf(com.google.common.util.concurrent.internal.InternalFutureFailureAccess.class));
            }
        } catch (MalformedURLException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new ClientLoader(name, urls.toArray(URL[]::new), relocations, hostStringPatch);
    }

    /**
     * @param driver a class of {@value #DRIVERS} ({@code ZooKeeperScenario}, {@code CuratorScenario})
     * @return a new instance of it, as defined in this loader
     */
    @SuppressWarnings("unchecked")
    Consumer<Map<String, Object>> driver(Class<?> driver) {
        try {
            return (Consumer<Map<String, Object>>) loadClass(driver.getName()).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("driver " + driver.getName() + " in " + getName(), e);
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("org.slf4j.")) {
            return ClientLoader.class.getClassLoader().loadClass(name);
        }
        boolean patched = hostStringPatch && name.endsWith(HostStringPatch.CLASS);
        if (!name.startsWith(DRIVERS + ".") && !patched) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                byte[] bytes = patched ? HostStringPatch.apply(ownClassFile(name)) : relocate(classFile(name));
                c = defineClass(name, bytes, 0, bytes.length);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    private byte[] relocate(byte[] classFile) {
        if (relocations.isEmpty()) {
            return classFile;
        }
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassRemapper(writer, new PrefixRemapper(relocations)), 0);
        return writer.toByteArray();
    }

    /** The test class path's class file of a driver class. */
    private static byte[] classFile(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = ClientLoader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class file of {@code name} in this loader's own jars. */
    private byte[] ownClassFile(String name) throws ClassNotFoundException {
        URL url = findResource(name.replace('.', '/') + ".class");
        if (url == null) {
            throw new ClassNotFoundException(name);
        }
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> jars(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static URL locationOf(Class<?> type) throws URISyntaxException, MalformedURLException {
        return type.getProtectionDomain().getCodeSource().getLocation().toURI().toURL();
    }

    /** Rewrites internal names that start with a relocated prefix. */
    private static final class PrefixRemapper extends Remapper {
        private final Map<String, String> relocations;

        PrefixRemapper(Map<String, String> relocations) {
            super(org.objectweb.asm.Opcodes.ASM9);
            this.relocations = relocations;
        }

        @Override
        public String map(String internalName) {
            for (Map.Entry<String, String> r : relocations.entrySet()) {
                if (internalName.startsWith(r.getKey())) {
                    return r.getValue() + internalName.substring(r.getKey().length());
                }
            }
            return internalName;
        }
    }
}
