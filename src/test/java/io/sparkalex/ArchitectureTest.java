package io.sparkalex;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE.md stays true to the code: every type it names in backquotes exists (in the
 * package it says, where it says one; a member it names after the type, in that type's file), and
 * its table of package imports is the one the sources have. A renamed class or a new arrow fails
 * here until the page says so.
 */
class ArchitectureTest {
    static final Path ROOT = Path.of(System.getProperty("sparkalex.root", "."));
    static final String BASE = "io/sparkalex/";
    /** Types the page names that are not this project's (DL4J, Spark, the JDK). */
    static final Set<String> EXTERNAL = Set.of("SparkDl4jMultiLayer", "SharedTrainingMaster", "SparkSession",
            "Callable", "ParameterAveragingTrainingMaster");
    static final Pattern DECLARATION = Pattern.compile("\\b(?:class|interface|record|enum)\\s+([A-Z]\\w*)");
    /** {@code pkg.Type.member}: an optional package, the type, an optional nested type or member. */
    static final Pattern NAME = Pattern.compile("((?:[a-z][a-z0-9]*\\.)*)([A-Z][A-Za-z0-9]*)((?:\\.[A-Za-z][A-Za-z0-9]*)?)");

    /** A type declared in a source file: its package below io.sparkalex and the file's text. */
    record Declared(String pkg, Path file) {
    }

    static Map<String, List<Declared>> declaredTypes() throws IOException {
        Map<String, List<Declared>> types = new HashMap<>();
        for (String dir : List.of("src/main/java/", "src/test/java/", "bench/src/main/java/")) {
            Path base = ROOT.resolve(dir + BASE);
            try (Stream<Path> files = Files.walk(base)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String pkg = base.relativize(f.getParent()).toString().replace('/', '.');
                    Matcher m = DECLARATION.matcher(Files.readString(f));
                    while (m.find()) {
                        types.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new Declared(pkg, f));
                    }
                }
            }
        }
        return types;
    }

    @Test
    void everyClassThePageNamesExistsWhereItSays() throws IOException {
        Map<String, List<Declared>> types = declaredTypes();
        String page = Files.readString(ROOT.resolve("ARCHITECTURE.md"));
        Matcher quoted = Pattern.compile("`([^`\\n]+)`").matcher(page);
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        while (quoted.find()) {
            Matcher n = NAME.matcher(quoted.group(1));
            if (!n.matches() || EXTERNAL.contains(n.group(2))) {
                continue;
            }
            checked++;
            String pkg = n.group(1).isEmpty() ? null : n.group(1).substring(0, n.group(1).length() - 1);
            List<Declared> where = types.getOrDefault(n.group(2), List.of()).stream()
                    .filter(d -> pkg == null || d.pkg().equals(pkg)).toList();
            if (where.isEmpty()) {
                wrong.add(quoted.group(1) + ": no such type" + (pkg == null ? "" : " in " + pkg));
                continue;
            }
            String member = n.group(3).isEmpty() ? null : n.group(3).substring(1);
            if (member != null && where.stream().noneMatch(d -> mentions(d.file(), member))) {
                wrong.add(quoted.group(1) + ": " + n.group(2) + " has no " + member);
            }
        }
        assertTrue(checked > 100, "the page names the code's types: " + checked);
        assertEquals(List.of(), wrong, "ARCHITECTURE.md names what the code does not have");
    }

    @Test
    void theImportTableIsTheCodes() throws IOException {
        Map<String, Set<String>> actual = new TreeMap<>();
        Path main = ROOT.resolve("src/main/java/" + BASE);
        Pattern project = Pattern.compile("^import (?:static )?io\\.sparkalex\\.([a-z0-9]+)\\.", Pattern.MULTILINE);
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = main.relativize(f).getName(0).toString();
                Set<String> deps = actual.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = project.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        deps.add(m.group(1));
                    }
                }
            }
        }
        String page = Files.readString(ROOT.resolve("ARCHITECTURE.md"));
        String table = page.substring(page.indexOf("## Package imports"), page.indexOf("## Packages"));
        Map<String, Set<String>> stated = new TreeMap<>();
        Matcher row = Pattern.compile("^\\| `([a-z0-9]+)` \\|([^|]*)\\|$", Pattern.MULTILINE).matcher(table);
        while (row.find()) {
            Set<String> deps = new TreeSet<>();
            for (String d : row.group(2).split(",")) {
                if (!d.isBlank()) {
                    deps.add(d.strip());
                }
            }
            stated.put(row.group(1), deps);
        }
        assertEquals(actual, stated, "ARCHITECTURE.md's import table against the sources' imports");
    }

    private static boolean mentions(Path file, String member) {
        try {
            return Pattern.compile("\\b" + member + "\\b").matcher(Files.readString(file)).find();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
