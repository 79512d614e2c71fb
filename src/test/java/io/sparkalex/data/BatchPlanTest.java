package io.sparkalex.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every cached training image once per epoch, in a composition of its own, reproducible. */
class BatchPlanTest {
    static CachedSplit split(int... shardSizes) {
        List<ShardInfo> shards = new ArrayList<>();
        for (int i = 0; i < shardSizes.length; i++) {
            shards.add(new ShardInfo(i / 2, i % 2, shardSizes[i]));
        }
        return new CachedSplit("train", "file:/cache/train", shards, new DataReport());
    }

    static List<String> images(List<String> batches) {
        List<String> all = new ArrayList<>();
        for (String b : batches) {
            BatchPlan.Parsed p = BatchPlan.Parsed.of(b);
            for (int[] ref : p.images()) {
                all.add(ref[0] + "." + ref[1] + "." + ref[2]);
            }
        }
        return all;
    }

    @ParameterizedTest(name = "shards {0}, batch {1}")
    @CsvSource({"'256,256,100', 32", "'7', 3", "'5,5,5', 4", "'1', 16", "'300,1,299', 128"})
    void everyImageExactlyOncePerEpochAndOnlyTheLastBatchShort(String shards, int batch) {
        int[] sizes = java.util.Arrays.stream(shards.split(",")).mapToInt(Integer::parseInt).toArray();
        CachedSplit split = split(sizes);
        for (int epoch = 1; epoch <= 3; epoch++) {
            List<String> batches = BatchPlan.training(split, batch, 42, epoch);
            List<String> seen = images(batches);
            assertEquals(split.examples(), seen.size(), "images trained in epoch " + epoch);
            assertEquals(seen.size(), new HashSet<>(seen).size(), "no image twice");
            for (int i = 0; i < batches.size(); i++) {
                int n = BatchPlan.Parsed.of(batches.get(i)).images().length;
                assertTrue(i == batches.size() - 1 ? n <= batch && n > 0 : n == batch, "batch " + i + " has " + n);
            }
        }
    }

    @Test
    void eachEpochHasItsOwnOrderAndARerunTheSame() {
        CachedSplit split = split(256, 256, 100);
        List<String> e1 = BatchPlan.training(split, 32, 42, 1);
        assertEquals(e1, BatchPlan.training(split, 32, 42, 1), "reproducible from (seed, epoch)");
        assertNotEquals(e1, BatchPlan.training(split, 32, 42, 2), "a new composition each epoch");
        assertNotEquals(e1, BatchPlan.training(split, 32, 7, 1), "another seed, another order");
        Set<String> firstBatch1 = new HashSet<>(images(e1.subList(0, 1)));
        Set<String> firstBatch2 = new HashSet<>(images(BatchPlan.training(split, 32, 42, 2).subList(0, 1)));
        assertNotEquals(firstBatch1, firstBatch2, "not just reordered batches: other images together");
    }

    @Test
    void evaluationTakesEveryImageInCacheOrder() {
        CachedSplit split = split(3, 2);
        List<String> batches = BatchPlan.evaluation(split, 2);
        assertEquals(List.of("0.0.0", "0.0.1", "0.0.2", "0.1.0", "0.1.1"), images(batches));
        assertTrue(batches.stream().noneMatch(b -> BatchPlan.Parsed.of(b).training()));
        assertEquals("file:/cache/train", BatchPlan.Parsed.of(batches.get(0)).dir());
    }
}
