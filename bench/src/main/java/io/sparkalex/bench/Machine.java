package io.sparkalex.bench;

import io.sparkalex.model.NativeKernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the machine is and how fast it multiplies matrices: the yardstick for every other number. */
final class Machine {
    private Machine() {
    }

    /** Median of 5 timed 2048x2048x2048 single-precision matrix products after a warm-up. */
    static double sgemmGflops() {
        int n = 2048;
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            Nd4j.getExecutioner().commit();
            rates.add(2.0 * n * n * n / ((System.nanoTime() - t) / 1e9) / 1e9);
        }
        rates.sort(null);
        return rates.get(2);
    }

    static Map<String, Object> describe() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.exists(cpuinfo)) {
            Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .ifPresent(l -> m.put("cpu", l.substring(l.indexOf(':') + 1).trim()));
        }
        m.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
        m.put("onednn_kernels", NativeKernels.oneDnn());
        return m;
    }
}
