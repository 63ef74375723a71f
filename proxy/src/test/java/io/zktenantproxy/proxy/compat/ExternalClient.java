package io.zktenantproxy.proxy.compat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The non-Java ZooKeeper clients of issue 15 and how to build and run their scenario programs
 * ({@code proxy/src/test/compat/<lang>}): the Go client {@code github.com/samuel/go-zookeeper} from Debian's
 * {@code golang-github-samuel-go-zookeeper-dev}, built offline in GOPATH mode, {@code node-zookeeper-client}
 * installed by {@code npm ci} from the committed lock file, the ZooKeeper C client from Debian's
 * {@code libzookeeper-mt-dev} built with the machine's gcc, and kazoo from Debian's {@code python3-kazoo}. Each is
 * prepared at most once per JVM.
 */
enum ExternalClient {
    /** go-zookeeper (Debian's 0.0~git20180130.c4fab1a). */
    GO("go") {
        @Override
        String missing() {
            if (!onPath("go")) {
                return "the Go toolchain (go) is not installed";
            }
            if (!Files.isRegularFile(Path.of(GOCODE, "src/github.com/samuel/go-zookeeper/zk/conn.go"))) {
                return "go-zookeeper's sources are not under " + GOCODE;
            }
            return null;
        }

        @Override
        List<String> prepare() throws IOException, InterruptedException {
            Path work = buildDir().resolve("go");
            Path binary = work.resolve("compat-go");
            // GOPATH mode against Debian's sources, no module proxy: the build never reaches the network.
            run(List.of("go", "build", "-o", binary.toString(), "."), sources(), Map.of(
                    "GO111MODULE", "off", "GOPROXY", "off", "GOFLAGS", "",
                    "GOPATH", work.resolve("gopath") + File.pathSeparator + GOCODE,
                    "GOCACHE", work.resolve("gocache").toString()), work.resolve("build.log"), true);
            return List.of(binary.toString());
        }

        @Override
        String install() {
            return ".ci/run installs it with apt-get install golang-go golang-github-samuel-go-zookeeper-dev";
        }
    },

    /** node-zookeeper-client, the version package-lock.json pins. */
    NODE("node") {
        @Override
        String missing() {
            return onPath("node") && onPath("npm") ? null : "Node.js (node and npm) is not installed";
        }

        @Override
        List<String> prepare() throws IOException, InterruptedException {
            run(List.of("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund"), sources(), Map.of(),
                    buildDir().resolve("node").resolve("npm-ci.log"), false);
            return List.of("node", sources().resolve("scenario.js").toString());
        }

        @Override
        String install() {
            return "install Node.js 20 with npm; .ci/run then runs npm ci in proxy/src/test/compat/node";
        }
    },

    /** The ZooKeeper C client, Debian's libzookeeper-mt (3.8.0), its synchronous API. */
    C("c") {
        @Override
        String missing() {
            if (!onPath("gcc")) {
                return "gcc is not installed";
            }
            if (!Files.isRegularFile(Path.of(C_INCLUDE, "zookeeper.h")) || !cLibraryPresent()) {
                return "the ZooKeeper C client (" + C_INCLUDE + "/zookeeper.h, libzookeeper_mt.so) is not installed";
            }
            return null;
        }

        @Override
        List<String> prepare() throws IOException, InterruptedException {
            Path work = buildDir().resolve("c");
            Path binary = work.resolve("compat-c");
            run(List.of("gcc", "-Wall", "-Wextra", "-Werror=implicit-function-declaration", "-pthread",
                    "-I" + C_INCLUDE, "-o", binary.toString(), "scenario.c", "-lzookeeper_mt"), sources(), Map.of(),
                    work.resolve("build.log"), true);
            return List.of(binary.toString());
        }

        @Override
        String install() {
            return ".ci/run installs it with apt-get install gcc libzookeeper-mt-dev";
        }
    },

    /** kazoo (Debian's python3-kazoo 2.8.0) on Debian's own Python 3. */
    KAZOO("python") {
        @Override
        String missing() {
            if (!Files.isExecutable(Path.of(DEBIAN_PYTHON))) {
                return DEBIAN_PYTHON + " is not installed";
            }
            if (!Files.isRegularFile(Path.of(DIST_PACKAGES, "kazoo", "client.py"))) {
                return "kazoo is not under " + DIST_PACKAGES;
            }
            return null;
        }

        @Override
        List<String> prepare() {
            // Debian's interpreter by its path: python3-kazoo is installed for it alone, and the python3 first on
            // the PATH may be another one (pyenv, a virtualenv) that cannot import kazoo.
            return List.of(DEBIAN_PYTHON, sources().resolve("scenario.py").toString());
        }

        @Override
        String install() {
            return ".ci/run installs it with apt-get install python3-kazoo";
        }
    };

    private static final String GOCODE = "/usr/share/gocode";
    private static final String C_INCLUDE = "/usr/include/zookeeper";
    private static final String DEBIAN_PYTHON = "/usr/bin/python3";
    private static final String DIST_PACKAGES = "/usr/lib/python3/dist-packages";

    private final String lang;
    private volatile Object prepared;

    ExternalClient(String lang) {
        this.lang = lang;
    }

    /** The language's name, as in {@code /compat-<lang>} and {@code src/test/compat/<lang>}. */
    String lang() {
        return lang;
    }

    /** What of its toolchain is missing on this machine, or null. */
    abstract String missing();

    /** How a CI machine gets what {@link #missing()} names. */
    abstract String install();

    /** Builds or installs the program; returns its command line without the connect string. */
    abstract List<String> prepare() throws IOException, InterruptedException;

    /**
     * The command line running the scenario against {@code connectString}, preparing the program the first time.
     *
     * @throws ToolchainException if preparing needs what the machine lacks (npm ci without its packages)
     */
    synchronized List<String> command(String connectString) throws IOException, InterruptedException {
        if (prepared == null) {
            try {
                prepared = prepare();
            } catch (ToolchainException e) {
                prepared = e;
            }
        }
        if (prepared instanceof ToolchainException e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        List<String> command = new ArrayList<>((List<String>) prepared);
        command.add(connectString);
        return command;
    }

    Path sources() {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        return base.resolve("src").resolve("test").resolve("compat").resolve(lang).toAbsolutePath();
    }

    static Path buildDir() {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        return base.resolve("target").resolve("compat").toAbsolutePath();
    }

    /** libzookeeper_mt.so, the link-time name libzookeeper-mt-dev installs, in /usr/lib or a multiarch folder. */
    private static boolean cLibraryPresent() {
        Path lib = Path.of("/usr/lib");
        if (Files.exists(lib.resolve("libzookeeper_mt.so"))) {
            return true;
        }
        try (Stream<Path> dirs = Files.list(lib)) {
            return dirs.anyMatch(dir -> Files.exists(dir.resolve("libzookeeper_mt.so")));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs a build step, its output to {@code log}; a failure is a test failure when {@code ours} (our code does not
     * build), else a {@link ToolchainException} (e.g. npm could not fetch the pinned package).
     */
    private static void run(List<String> command, Path dir, Map<String, String> env, Path log, boolean ours)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        // Generous: npm may download on a cold cache, go compiles the library the first time.
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 5 minutes, see " + log);
        }
        if (p.exitValue() != 0) {
            String message = String.join(" ", command) + " in " + dir + " exited with " + p.exitValue() + ":\n"
                    + Files.readString(log, StandardCharsets.UTF_8);
            if (ours) {
                throw new IOException(message);
            }
            throw new ToolchainException(message);
        }
    }

    /** Preparing the program needs something the machine does not provide. */
    static final class ToolchainException extends IOException {
        private static final long serialVersionUID = 1L;

        ToolchainException(String message) {
            super(message);
        }
    }
}
