package io.sparkalex.storage;

import java.util.Map;

/**
 * Where a model came from, so that a model found later can be traced to its code, data and run:
 * the job's version and git commit, the CSV (its SHA-256 and rows per split) and image root, the
 * library versions it ran with, and the Spark application that wrote it. The configuration and
 * class names travel beside it in {@link TrainingState}. {@code warmStartedFrom} names the model
 * whose weights the run started from (null for a run from random weights).
 */
public record Provenance(String jobVersion, String gitCommit, String csv, String csvSha256,
                         Map<String, Long> csvRows, String images, String savedAt, String dl4jVersion,
                         String nd4jBackend, String sparkVersion, String javaVersion, String sparkMaster,
                         String applicationId, String warmStartedFrom) {

    /** This provenance stamped with the current time as {@code savedAt}: for the checkpoint being saved. */
    public Provenance savedNow() {
        return new Provenance(jobVersion, gitCommit, csv, csvSha256, csvRows, images, java.time.Instant.now().toString(),
                dl4jVersion, nd4jBackend, sparkVersion, javaVersion, sparkMaster, applicationId, warmStartedFrom);
    }

    /** The fields as label / value lines, for {@code summary --model} and the report. */
    public Map<String, String> describe() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("job version", jobVersion);
        m.put("git commit", gitCommit);
        m.put("CSV", csv);
        m.put("CSV SHA-256", csvSha256);
        m.put("CSV rows", csvRows == null ? null : csvRows.toString());
        m.put("images", images);
        m.put("saved at", savedAt);
        m.put("DL4J", dl4jVersion);
        m.put("ND4J backend", nd4jBackend);
        m.put("Spark", sparkVersion);
        m.put("Java", javaVersion);
        m.put("Spark master", sparkMaster);
        m.put("application id", applicationId);
        if (warmStartedFrom != null) {
            m.put("warm-started from", warmStartedFrom);
        }
        m.replaceAll((k, v) -> v == null ? "(not recorded)" : v);
        return m;
    }
}
