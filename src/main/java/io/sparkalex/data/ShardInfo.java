package io.sparkalex.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.Serializable;

/**
 * One shard of a cached split: written by cache task {@code task} as its {@code part}-th file,
 * holding {@code images} images. A plain class, not a record: Spark's Kryo cannot serialize
 * records; Jackson reads it through its constructor.
 */
public final class ShardInfo implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int task;
    private final int part;
    private final int images;

    @JsonCreator
    public ShardInfo(@JsonProperty("task") int task, @JsonProperty("part") int part,
                     @JsonProperty("images") int images) {
        this.task = task;
        this.part = part;
        this.images = images;
    }

    @JsonProperty("task")
    public int task() {
        return task;
    }

    @JsonProperty("part")
    public int part() {
        return part;
    }

    @JsonProperty("images")
    public int images() {
        return images;
    }

    /** The shard's file name inside its split's folder. */
    public String fileName() {
        return fileName(task, part);
    }

    static String fileName(int task, int part) {
        return String.format("shard-%05d-%04d.bin", task, part);
    }
}
