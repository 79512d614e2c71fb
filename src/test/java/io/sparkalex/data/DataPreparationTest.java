package io.sparkalex.data;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rows are dealt to decode tasks a whole minibatch at a time, so only a split's last batch is short. */
class DataPreparationTest {
    @ParameterizedTest(name = "{0} rows, batch {1}, {2} tasks")
    @CsvSource({"700, 32, 8", "64, 32, 8", "33, 32, 2", "1000, 7, 3", "5, 16, 4", "96, 32, 3"})
    void everyTaskGetsWholeBatchesButOne(int rows, int batch, int tasks) {
        Map<Integer, Integer> perTask = new HashMap<>();
        int previousTask = -1;
        for (long row = 0; row < rows; row++) {
            int task = DataPreparation.taskOf(row, batch, tasks);
            assertTrue(task >= 0 && task < tasks, "task " + task);
            if (row % batch != 0) {
                assertEquals(previousTask, task, "row " + row + " stays in its batch's task");
            }
            previousTask = task;
            perTask.merge(task, 1, Integer::sum);
        }
        int shortBatches = 0;
        for (int n : perTask.values()) {
            shortBatches += n % batch == 0 ? 0 : 1;
        }
        assertTrue(shortBatches <= 1, "at most one task holds a partial batch: " + perTask);
        int fullBatches = rows / batch;
        for (int n : perTask.values()) {
            int batches = n / batch;
            assertTrue(Math.abs(batches - fullBatches / (double) tasks) < 1, "batches spread evenly: " + perTask);
        }
    }
}
