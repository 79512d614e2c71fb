package io.sparkalex.train;

/**
 * Where a run's data comes from and its results go; any Hadoop URIs. {@code synsets} may be
 * null: class names are then read from {@code synset_words.txt} beside the CSV, if present.
 */
public record Locations(String csv, String images, String out, String synsets) {
}
