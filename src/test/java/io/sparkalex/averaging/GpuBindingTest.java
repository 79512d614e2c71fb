package io.sparkalex.averaging;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Spark's GPU address for a task, as the CUDA device its worker trains on. */
class GpuBindingTest {
    @Test
    void theAddressIsTheOrdinalWhenTheProcessSeesEveryGpu() {
        assertEquals(OptionalInt.of(3), GpuBinding.ordinal(List.of("3"), null));
        assertEquals(OptionalInt.of(3), GpuBinding.ordinal(List.of("3"), " "));
    }

    @Test
    void cudaVisibleDevicesRenumbersFromZeroInItsOrder() {
        assertEquals(OptionalInt.of(1), GpuBinding.ordinal(List.of("3"), "2,3"));
        assertEquals(OptionalInt.of(0), GpuBinding.ordinal(List.of("3"), "3,2"));
        assertEquals(OptionalInt.of(0), GpuBinding.ordinal(List.of("5"), "GPU-0f3a"), "one isolated device (a UUID)");
        assertThrows(IllegalStateException.class, () -> GpuBinding.ordinal(List.of("5"), "0,1"),
                "a GPU the process cannot see");
    }

    @Test
    void aTaskWithoutAGpuIsNotBound() {
        assertEquals(OptionalInt.empty(), GpuBinding.ordinal(List.of(), "0"));
        assertEquals(OptionalInt.empty(), GpuBinding.ordinal(null, null));
    }
}
