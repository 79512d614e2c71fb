package io.sparkalex.data;

import io.sparkalex.testing.TestSpark;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CSV read by real Spark SQL in local mode. */
class SplitTableTest {
    @TempDir
    Path dir;

    SplitTable read(String csv) throws Exception {
        Path file = dir.resolve("split-" + System.nanoTime() + ".csv");
        Files.writeString(file, csv);
        return SplitTable.read(TestSpark.session(), file.toUri().toString());
    }

    @Test
    void seedLayoutWithPandasIndexColumnAndLabelsFromFileNames() throws Exception {
        SplitTable t = read("""
                ,filename,split
                0,n02091244_1.JPEG,train
                1,n02114548_7.JPEG,train
                2,n02114548_8.JPEG, Val
                3,n02091244_9.JPEG,test
                4,sub/dir/n02091244_10.png,train
                5,nolabel.png,train
                """);
        assertEquals(Map.of("train", 4L, "val", 1L, "test", 1L), t.counts());
        List<Row> train = t.split("train").orderBy("filename").collectAsList();
        assertEquals("n02091244", train.get(0).<String>getAs(SplitTable.LABEL));
        assertEquals("n02114548", train.get(1).getAs(SplitTable.LABEL));
        assertNull(train.get(2).getAs(SplitTable.LABEL), "a name without '_' has no label");
        assertEquals("sub/dir/n02091244_10.png", train.get(3).getAs(SplitTable.FILENAME));
        assertEquals("n02091244", train.get(3).getAs(SplitTable.LABEL), "label comes from the base name");
        ClassIndex classes = t.classes(Map.of("n02091244", "Ibizan hound"));
        assertEquals(List.of("n02091244", "n02114548"), classes.ids());
        assertEquals("Ibizan hound", classes.namesById().get("n02091244"));
        assertEquals("n02114548", classes.namesById().get("n02114548"), "no synset name: the id stands in");
    }

    @Test
    void explicitLabelColumnWins() throws Exception {
        SplitTable t = read("""
                filename,split,label
                a_1.jpg,train,cat
                b_2.jpg,train,dog
                c.jpg,val,dog
                """);
        assertEquals(List.of("cat", "dog"), t.classes(Map.of()).ids());
        assertEquals("dog", t.split("val").first().getAs(SplitTable.LABEL));
    }

    @Test
    void structuralErrorsNameTheFileAndValue() {
        DataError missing = assertThrows(DataError.class, () -> read("name,split\na_1.jpg,train\n"));
        assertTrue(missing.getMessage().contains("'filename'") && missing.getMessage().contains("[name, split]"),
                missing.getMessage());
        DataError headerOnly = assertThrows(DataError.class, () -> read("filename,split\n"));
        assertTrue(headerOnly.getMessage().contains("no rows"), headerOnly.getMessage());
        DataError split = assertThrows(DataError.class, () -> read("filename,split\na_1.jpg,train\nb_1.jpg,valid\n"));
        assertTrue(split.getMessage().contains("'valid'") && split.getMessage().contains("b_1.jpg"), split.getMessage());
        DataError noVal = assertThrows(DataError.class, () -> read("filename,split\na_1.jpg,train\nb_1.jpg,train\n"));
        assertTrue(noVal.getMessage().contains("'val' split is empty"), noVal.getMessage());
        DataError dup = assertThrows(DataError.class,
                () -> read("filename,split\na_1.jpg,train\na_1.jpg,val\nb_1.jpg,train\n"));
        assertTrue(dup.getMessage().contains("duplicate") && dup.getMessage().contains("a_1.jpg"), dup.getMessage());
    }

    @Test
    void aValidationLabelMissingFromTrainIsAnError() throws Exception {
        SplitTable t = read("filename,split\na_1.jpg,train\nb_1.jpg,train\nzebra_1.jpg,val\n");
        DataError e = assertThrows(DataError.class, () -> t.classes(Map.of()));
        assertTrue(e.getMessage().contains("'zebra'") && e.getMessage().contains("zebra_1.jpg"), e.getMessage());
    }
}
