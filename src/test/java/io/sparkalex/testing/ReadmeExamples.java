package io.sparkalex.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The code examples of README.md as the README has them: the fenced block that follows a
 * {@code <!-- example: NAME ... -->} marker. Tests run that text, so the README and what runs cannot drift.
 */
public final class ReadmeExamples {
    private ReadmeExamples() {
    }

    /** The code of the block after the marker {@code <!-- example: name}, without its fences. */
    public static String block(String name) throws IOException {
        Path readme = Path.of(System.getProperty("sparkalex.root", "."), "README.md");
        List<String> lines = Files.readAllLines(readme);
        int marker = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("<!-- example: " + name + " ") || lines.get(i).equals("<!-- example: " + name + " -->")) {
                marker = i;
            }
        }
        if (marker < 0 || marker + 1 >= lines.size() || !lines.get(marker + 1).startsWith("```")) {
            throw new IllegalStateException("README.md has no code block after <!-- example: " + name);
        }
        int end = marker + 2;
        while (end < lines.size() && !lines.get(end).startsWith("```")) {
            end++;
        }
        return String.join("\n", lines.subList(marker + 2, end)) + "\n";
    }
}
