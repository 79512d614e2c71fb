package io.sparkalex.storage;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Credentials written into a URI never reach a log, a checkpoint or a report. */
class UrisTest {
    @ParameterizedTest
    @CsvSource({
        "s3a://AKIAKEY:secret/with+chars@bucket/data/train.csv, s3a://bucket/data/train.csv",
        "s3a://AKIAKEY:s3cr3t@bucket/data/train.csv, s3a://bucket/data/train.csv",
        "hdfs://alice@namenode:8020/runs/x, hdfs://namenode:8020/runs/x",
        "abfs://container@account.dfs.core.windows.net/p, abfs://account.dfs.core.windows.net/p",
        "hdfs://namenode:8020/runs/x, hdfs://namenode:8020/runs/x",
        "file:///tmp/out, file:///tmp/out",
        "/data/train.csv, /data/train.csv",
        "runs/sample, runs/sample",
    })
    void userInfoIsRemoved(String uri, String shown) {
        assertEquals(shown, Uris.redact(uri));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "File s3a://KEY:SECRET@bucket/x.csv does not exist | File s3a://bucket/x.csv does not exist",
        "copy hdfs://bob@nn/a to s3a://k:s@b/c failed | copy hdfs://nn/a to s3a://b/c failed",
        "no uri here: a@b | no uri here: a@b",
    })
    void everyUriInAMessageLosesItsUserInfo(String message, String shown) {
        assertEquals(shown, Uris.redact(message));
    }
}
