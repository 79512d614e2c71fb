package io.sparkalex.data;

import io.sparkalex.storage.AtomicFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Human-readable class names from {@code synset_words.txt} (a WordNet id, a space, the name), the
 * file ImageNet ships. Optional: without it a class is named by its id.
 */
public final class Synsets {
    public static final String FILE_NAME = "synset_words.txt";

    private Synsets() {
    }

    /**
     * Names from {@code synsetsUri}, which must exist when given; otherwise from the file beside
     * the CSV, if there is one.
     */
    public static Map<String, String> load(String synsetsUri, String csvUri, Configuration hadoop) throws IOException {
        Path file = synsetsUri != null ? new Path(synsetsUri) : new Path(new Path(csvUri).getParent(), FILE_NAME);
        FileSystem fs = file.getFileSystem(hadoop);
        if (!fs.exists(file)) {
            if (synsetsUri != null) {
                throw new DataError("synset file " + file + " does not exist");
            }
            return Map.of();
        }
        return parse(AtomicFiles.readString(fs, file));
    }

    /** Blank lines and {@code #} comments are skipped; a line without a name names the id by itself. */
    public static Map<String, String> parse(String text) {
        Map<String, String> names = new HashMap<>();
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int sp = t.indexOf(' ');
            names.put(sp < 0 ? t : t.substring(0, sp), sp < 0 ? t : t.substring(sp + 1).strip());
        }
        return names;
    }
}
