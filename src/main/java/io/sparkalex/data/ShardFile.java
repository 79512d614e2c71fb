package io.sparkalex.data;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * One shard of the decoded-image cache: a few hundred re-encoded images with their labels in one
 * file, so that a data set of a million images is a few thousand files, not a million.
 *
 * <p>Layout: magic {@code SAXS}, format version, image count, then per image its offset, length
 * and label index, then the images' bytes. The index comes first so a reader fetches one image
 * with a positional read ({@code FSDataInputStream.readFully(position, ...)}) and never
 * streams the whole shard: a minibatch draws its images from many shards at random.
 */
public final class ShardFile {
    static final int MAGIC = 0x53415853; // "SAXS"
    static final int VERSION = 1;
    private static final int HEADER = 12;
    private static final int ENTRY = 16;

    private ShardFile() {
    }

    /** Writes {@code images} (encoded bytes) with their {@code labels}. */
    public static void write(OutputStream target, List<byte[]> images, int[] labels) throws IOException {
        DataOutputStream out = new DataOutputStream(target);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(images.size());
        long offset = HEADER + (long) ENTRY * images.size();
        for (int i = 0; i < images.size(); i++) {
            out.writeLong(offset);
            out.writeInt(images.get(i).length);
            out.writeInt(labels[i]);
            offset += images.get(i).length;
        }
        for (byte[] image : images) {
            out.write(image);
        }
        out.flush();
    }

    /** An open shard: its index in memory, image bytes read on demand. */
    public static final class Reader implements AutoCloseable {
        private final FSDataInputStream in;
        private final long[] offsets;
        private final int[] lengths;
        private final int[] labels;

        public Reader(FileSystem fs, Path path) throws IOException {
            in = fs.open(path);
            try {
                DataInputStream header = new DataInputStream(in);
                if (header.readInt() != MAGIC) {
                    throw new IOException(path + " is not an image cache shard");
                }
                int version = header.readInt();
                if (version != VERSION) {
                    throw new IOException(path + " has cache format " + version + ", expected " + VERSION);
                }
                int n = header.readInt();
                offsets = new long[n];
                lengths = new int[n];
                labels = new int[n];
                for (int i = 0; i < n; i++) {
                    offsets[i] = header.readLong();
                    lengths[i] = header.readInt();
                    labels[i] = header.readInt();
                }
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        public int size() {
            return labels.length;
        }

        public int label(int i) {
            return labels[i];
        }

        /** The encoded bytes of image {@code i}; safe to call from several threads. */
        public byte[] image(int i) throws IOException {
            byte[] bytes = new byte[lengths[i]];
            in.readFully(offsets[i], bytes, 0, bytes.length);
            return bytes;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
