package io.sparkalex.cluster;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

import java.io.IOException;
import java.nio.file.Path;

/** A real HDFS (NameNode + DataNodes) in the test JVM, on 127.0.0.1, data under target/. */
final class MiniHdfs implements AutoCloseable {
    private final MiniDFSCluster cluster;

    MiniHdfs(Path base) throws IOException {
        this(base, 1, 1);
    }

    /** {@code datanodes} DataNodes, files written with {@code replication} copies by default. */
    MiniHdfs(Path base, int datanodes, int replication) throws IOException {
        Configuration conf = new Configuration();
        conf.setInt("dfs.replication", replication);
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toAbsolutePath().toString());
        conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(datanodes).format(true).build();
        cluster.waitActive();
    }

    /** {@code hdfs://127.0.0.1:port} */
    String uri() {
        return cluster.getURI().toString();
    }

    FileSystem fs() throws IOException {
        return cluster.getFileSystem();
    }

    Configuration conf() {
        return cluster.getConfiguration(0);
    }

    /** Stops DataNode {@code i} as a crash would (its blocks stay on disk, unreachable). */
    void killDataNode(int i) {
        cluster.stopDataNode(i);
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
