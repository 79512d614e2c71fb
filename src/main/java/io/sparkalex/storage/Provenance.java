package io.sparkalex.storage;

/**
 * Where a checkpoint came from: the data it was trained on and the Spark application that wrote
 * it, so that a model found later can be traced to its run.
 */
public record Provenance(String csv, String images, String savedAt, String sparkVersion, String sparkMaster,
                         String applicationId) {
}
