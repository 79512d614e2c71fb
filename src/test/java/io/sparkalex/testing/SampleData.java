package io.sparkalex.testing;

import io.sparkalex.data.SampleDataGenerator;
import io.sparkalex.train.Locations;
import org.apache.hadoop.conf.Configuration;

import java.nio.file.Path;

/**
 * A generated data set in the reference layout (the job's own {@code sample-data} generator):
 * the CSV, the image folder and {@code synset_words.txt} under one directory.
 */
public record SampleData(Path dir) {
    /** Writes {@code classes} x {@code perClass} images (70/10/20 train/val/test) under {@code dir}. */
    public static SampleData write(Path dir, int classes, int perClass, long seed) throws Exception {
        new SampleDataGenerator(classes, perClass, seed).write(dir.toUri().toString(), new Configuration());
        return new SampleData(dir);
    }

    public Path csv() {
        return dir.resolve(SampleDataGenerator.CSV);
    }

    public Path images() {
        return dir.resolve(SampleDataGenerator.IMAGES);
    }

    /** This data set's CSV and images, results to {@code out}. */
    public Locations locations(Path out) {
        return new Locations(csv().toUri().toString(), images().toUri().toString(), out.toUri().toString(), null);
    }
}
