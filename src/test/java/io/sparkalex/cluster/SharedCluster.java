package io.sparkalex.cluster;

import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One standalone cluster (Master + 2 Workers, 2 cores and 3 GB each) and one HDFS for all
 * integration tests of a run, started on first use and stopped when JUnit finishes (a root
 * store resource), so several test classes do not pay the start-up twice.
 */
final class SharedCluster implements ExtensionContext.Store.CloseableResource {
    final MiniHdfs hdfs;
    final StandaloneCluster spark;
    final Path base;

    private SharedCluster() throws Exception {
        base = Files.createTempDirectory(ChildJvm.ROOT.resolve("target"), "it-cluster-");
        hdfs = new MiniHdfs(base.resolve("hdfs"));
        spark = new StandaloneCluster(base, 2, 2, "3g");
    }

    static SharedCluster get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedCluster.class, k -> {
                    try {
                        return new SharedCluster();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot start the test cluster", e);
                    }
                }, SharedCluster.class);
    }

    @Override
    public void close() {
        spark.close();
        hdfs.close();
    }
}
