package io.sparkalex.averaging;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Binds a worker's task thread to the GPU Spark assigned the task, so that several executors on
 * one multi-GPU node do not all train on device 0 (the "every worker got the same GPU" failure).
 *
 * <p>Spark's address for a GPU is what the discovery script printed: the physical index that
 * {@code nvidia-smi} shows. CUDA numbers the devices a process sees from 0, in the order of
 * {@code CUDA_VISIBLE_DEVICES} when the container or YARN set it; so the CUDA ordinal is the
 * address's position in that list, or the address itself when the variable is unset. With one
 * visible device (Kubernetes and YARN usually isolate one GPU per container) the ordinal is 0.
 * On the CPU backend, or a task without a GPU, nothing is bound.
 */
final class GpuBinding {
    private static final Logger log = LoggerFactory.getLogger(GpuBinding.class);

    private GpuBinding() {
    }

    /**
     * The CUDA ordinal of the task's GPU: {@code assigned} (Spark's addresses of the task's "gpu"
     * resource; the first is used) mapped through {@code cudaVisibleDevices} (null or blank: unset).
     * Empty when the task has no GPU.
     */
    static OptionalInt ordinal(List<String> assigned, String cudaVisibleDevices) {
        if (assigned == null || assigned.isEmpty()) {
            return OptionalInt.empty();
        }
        String address = assigned.get(0).trim();
        if (cudaVisibleDevices == null || cudaVisibleDevices.isBlank()) {
            return OptionalInt.of(Integer.parseInt(address));
        }
        List<String> visible = Arrays.stream(cudaVisibleDevices.split(",")).map(String::trim).toList();
        int at = visible.indexOf(address);
        if (at >= 0) {
            return OptionalInt.of(at);
        }
        if (visible.size() == 1) {
            return OptionalInt.of(0);   // the one device this process sees (an isolated container)
        }
        throw new IllegalStateException("Spark assigned GPU " + address + " but CUDA_VISIBLE_DEVICES="
                + cudaVisibleDevices + " does not list it; the discovery script and the container disagree");
    }

    /** Binds this task's thread to its GPU on a CUDA backend, and says so for the partition. */
    static void bind(int partition) {
        TaskContext task = TaskContext.get();
        ResourceInformation gpu = task == null ? null : task.resourcesJMap().get("gpu");
        OptionalInt ordinal = ordinal(gpu == null ? null : Arrays.asList(gpu.addresses()),
                System.getenv("CUDA_VISIBLE_DEVICES"));
        if (ordinal.isEmpty()) {
            return;
        }
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        if (!backend.toLowerCase(java.util.Locale.ROOT).contains("cuda")) {
            log.warn("partition {}: Spark assigned GPU {}, but ND4J runs on {}: training on the CPU", partition,
                    Arrays.toString(gpu.addresses()), backend);
            return;
        }
        Nd4j.getAffinityManager().unsafeSetDevice(ordinal.getAsInt());
        log.info("partition {}: training on GPU {} (CUDA device {}; CUDA_VISIBLE_DEVICES={})", partition,
                Arrays.toString(gpu.addresses()), ordinal.getAsInt(), System.getenv("CUDA_VISIBLE_DEVICES"));
    }
}
