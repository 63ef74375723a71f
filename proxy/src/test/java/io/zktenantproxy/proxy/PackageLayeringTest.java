package io.zktenantproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packages of {@code proxy/src/main/java} import one way: each sits on a layer of {@link #LAYERS} and may name
 * only packages on a lower one, so no package imports one above it or beside it and the package graph has no cycle.
 * Every mention of {@code io.zktenantproxy.proxy.<package>} in a source file counts (imports, static imports, fully
 * qualified names, Javadoc links), except the file's own {@code package} line. A new package must be given a layer
 * here.
 */
class PackageLayeringTest {
    /** Lowest first; a package may import packages of a lower layer only (never one of its own layer). */
    static final Map<String, Integer> LAYERS = Map.ofEntries(
            Map.entry("config", 0),
            Map.entry("embedded", 0),
            Map.entry("metrics", 1),
            Map.entry("identity", 1),
            Map.entry("tls", 1),
            Map.entry("upstream", 2),
            Map.entry("tree", 3),
            Map.entry("quota", 3),
            Map.entry("server", 4),
            Map.entry("flink", 4),
            Map.entry("admin", 5),
            Map.entry("runtime", 6),
            Map.entry("cli", 7));

    private static final String ROOT = "io.zktenantproxy.proxy";
    private static final Pattern PACKAGE_LINE = Pattern.compile("(?m)^package\\s+" + Pattern.quote(ROOT)
            + "\\.(\\w+)\\s*;");
    private static final Pattern MENTION = Pattern.compile("\\b" + Pattern.quote(ROOT) + "\\.([a-z]\\w*)\\.");

    /** A source file of package {@code from} that names package {@code to}. */
    record Mention(String file, String from, String to) {
    }

    @Test
    void mainCodeImportsDownwardOnly() throws IOException {
        List<Mention> mentions = mentions(mainSources());
        assertTrue(mentions.contains(new Mention("cli/ServeCommand.java", "cli", "runtime")),
                "the scan found nothing it should have: " + mentions);
        assertEquals(List.of(), violations(mentions));
        assertEquals(List.of(), cycles(mentions));
    }

    @Test
    void everyPackageHasALayer() throws IOException {
        Set<String> packages;
        try (Stream<Path> dirs = Files.list(mainSources())) {
            packages = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(new TreeSet<>(LAYERS.keySet()), packages);
    }

    @Test
    void upwardAndSidewaysImportsAreReported() {
        assertEquals(List.of("server/Bad.java: server (layer 4) imports admin (layer 5); only lower layers may be "
                        + "imported"), violations(List.of(new Mention("server/Bad.java", "server", "admin"))));
        assertEquals(List.of("tree/Bad.java: tree (layer 3) imports quota (layer 3); only lower layers may be "
                        + "imported"), violations(List.of(new Mention("tree/Bad.java", "tree", "quota"))));
        assertEquals(List.of("x/Bad.java: x has no layer in PackageLayeringTest.LAYERS"),
                violations(List.of(new Mention("x/Bad.java", "x", "config"))));
        assertEquals(List.of(), violations(List.of(new Mention("admin/Good.java", "admin", "server"),
                new Mention("admin/Good.java", "admin", "admin"))));
    }

    @Test
    void cyclesAreReported() {
        List<Mention> cycle = List.of(new Mention("server/A.java", "server", "admin"),
                new Mention("admin/B.java", "admin", "tree"), new Mention("tree/C.java", "tree", "server"));
        assertEquals(List.of("admin -> tree -> server -> admin"), cycles(cycle));
        assertEquals(List.of(), cycles(cycle.subList(0, 2)));
    }

    @Test
    void mentionsAreFoundInImportsAndQualifiedNames(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("server"));
        Files.writeString(dir.resolve("server/X.java"), "package io.zktenantproxy.proxy.server;\n\n"
                + "import io.zktenantproxy.proxy.admin.AdminServer;\n"
                + "import static io.zktenantproxy.proxy.cli.Main.run;\n"
                + "import io.zktenantproxy.protocol.Xids;\n\n"
                + "class X { io.zktenantproxy.proxy.runtime.ProxyRuntime r; }\n");
        assertEquals(List.of(new Mention("server/X.java", "server", "admin"),
                new Mention("server/X.java", "server", "cli"), new Mention("server/X.java", "server", "runtime")),
                mentions(dir));
    }

    private static Path mainSources() {
        Path dir = Path.of(System.getProperty("basedir", "."), "src/main/java", ROOT.replace('.', '/'));
        assertTrue(Files.isDirectory(dir), dir + " not found");
        return dir;
    }

    /** @return every other package each {@code .java} file below {@code root} names, in file order */
    static List<Mention> mentions(Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        List<Mention> mentions = new ArrayList<>();
        for (Path file : files) {
            String source = Files.readString(file, StandardCharsets.UTF_8);
            Matcher own = PACKAGE_LINE.matcher(source);
            String from = own.find() ? own.group(1) : "";
            String name = root.relativize(file).toString().replace('\\', '/');
            Set<String> named = new TreeSet<>();
            Matcher mention = MENTION.matcher(PACKAGE_LINE.matcher(source).replaceFirst(""));
            while (mention.find()) {
                named.add(mention.group(1));
            }
            named.remove(from);
            named.forEach(to -> mentions.add(new Mention(name, from, to)));
        }
        return mentions;
    }

    /** @return one line per mention of a package not on a lower layer, or by a package with no layer */
    static List<String> violations(List<Mention> mentions) {
        List<String> violations = new ArrayList<>();
        for (Mention m : mentions) {
            Integer from = LAYERS.get(m.from());
            Integer to = LAYERS.get(m.to());
            if (from == null || to == null) {
                violations.add(m.file() + ": " + (from == null ? m.from() : m.to()) + " has no layer in "
                        + "PackageLayeringTest.LAYERS");
            } else if (!m.from().equals(m.to()) && to >= from) {
                violations.add(m.file() + ": " + m.from() + " (layer " + from + ") imports " + m.to() + " (layer "
                        + to + "); only lower layers may be imported");
            }
        }
        return violations;
    }

    /** @return each cycle of the package graph, as {@code a -> b -> a}, found by a depth-first search */
    static List<String> cycles(List<Mention> mentions) {
        Map<String, Set<String>> graph = new TreeMap<>();
        mentions.forEach(m -> graph.computeIfAbsent(m.from(), k -> new TreeSet<>()).add(m.to()));
        List<String> cycles = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : graph.keySet()) {
            search(start, graph, new ArrayList<>(), done, cycles);
        }
        return cycles;
    }

    private static void search(String node, Map<String, Set<String>> graph, List<String> path, Set<String> done,
                               List<String> cycles) {
        int at = path.indexOf(node);
        if (at >= 0) {
            cycles.add(String.join(" -> ", path.subList(at, path.size())) + " -> " + node);
            return;
        }
        if (done.contains(node)) {
            return;
        }
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            search(next, graph, path, done, cycles);
        }
        path.remove(path.size() - 1);
        done.add(node);
    }
}
