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

    /** The cases: an '@' in a password, in a path; secrets in a query string. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://u:p@ss@h/x | https://h/x",
        "https://u:p@ss@h | https://h",
        "s3a://KEY:p@ss/w@rd@bucket/data/x.csv | s3a://bucket/data/x.csv",
        "s3a://KEY:se/cr@t@bucket/data | s3a://bucket/data",
        "hdfs://nn:8020/a@b | hdfs://nn:8020/a@b",
        "hdfs://nn/runs/a@b/c | hdfs://nn/runs/a@b/c",
        "https://acct.blob.core.windows.net/c/x.csv?sv=2022&sig=AbC%2Fd | https://acct.blob.core.windows.net/c/x.csv?sv=2022&sig=***",
        "https://b.s3.amazonaws.com/x?X-Amz-Credential=AK%2F1&X-Amz-Signature=f00d&X-Amz-Expires=60 | https://b.s3.amazonaws.com/x?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Expires=60",
        "http://gw:9091/?token=t0k | http://gw:9091/?token=***",
        "metrics_push_url = \"http://user:pa@ss/word@pushgateway:9091\" | metrics_push_url = \"http://pushgateway:9091\"",
        "spark://master:7077 | spark://master:7077",
        "file:///tmp/mail@home/x | file:///tmp/mail@home/x",
        "key=value without a uri | key=value without a uri",
    })
    void passwordsWithAtAndSlashPathsWithAtAndQuerySecrets(String text, String shown) {
        assertEquals(shown, Uris.redact(text));
    }

    @org.junit.jupiter.api.Test
    void aStackTraceIsRedactedCausesIncluded() {
        Exception e = new java.io.IOException("reading s3a://KEY:S3CRET@bucket/x failed",
                new IllegalStateException("https://u:p@ss@h/?sig=abc"));
        String trace = Uris.stackTrace(e);
        assertEquals(-1, trace.indexOf("S3CRET"), trace);
        assertEquals(-1, trace.indexOf("p@ss"), trace);
        assertEquals(-1, trace.indexOf("sig=abc"), trace);
        org.junit.jupiter.api.Assertions.assertTrue(trace.contains("s3a://bucket/x") && trace.contains("Caused by"), trace);
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

    /**
     * The log layout every JVM of the job uses (conf/log4j2.properties) applies the same rule to each
     * line, Spark's and DL4J's included, and to the stack trace under it.
     */
    @org.junit.jupiter.api.Test
    void theLogLayoutRedactsEveryLineAndStackTraceAsTheRuleDoes() throws Exception {
        java.util.Properties conf = new java.util.Properties();
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("conf/log4j2.properties"))) {
            conf.load(in);
        }
        String pattern = conf.getProperty("appender.console.layout.pattern");
        org.junit.jupiter.api.Assertions.assertTrue(pattern.contains(Uris.USER_INFO_REGEX)
                && pattern.contains(Uris.SECRET_PARAMETER_REGEX), "the layout holds the rule's two regexes");
        var layout = org.apache.logging.log4j.core.layout.PatternLayout.newBuilder().withPattern(pattern)
                .withAlwaysWriteExceptions(Boolean.parseBoolean(conf.getProperty("appender.console.layout.alwaysWriteExceptions")))
                .build();
        String[] lines = {"reading s3a://KEY:p@ss/w@rd@bucket/data/x.csv", "pushing to http://u:p@ss@gw:9091/x",
            "GET https://b.s3.amazonaws.com/x?X-Amz-Signature=f00d&a=1", "plain hdfs://nn:8020/a@b"};
        for (String line : lines) {
            Exception thrown = new java.io.IOException("cannot open " + line, new IllegalStateException(line));
            String shown = layout.toSerializable(org.apache.logging.log4j.core.impl.Log4jLogEvent.newBuilder()
                    .setLoggerName("org.apache.spark.Some").setLevel(org.apache.logging.log4j.Level.WARN)
                    .setMessage(new org.apache.logging.log4j.message.SimpleMessage(line)).setThrown(thrown).build());
            assertEquals(Uris.redact(line), shown.substring(shown.indexOf(": ") + 2, shown.indexOf('\n')),
                    "the message");
            String trace = shown.substring(shown.indexOf('\n') + 1);
            org.junit.jupiter.api.Assertions.assertTrue(trace.contains("cannot open " + Uris.redact(line))
                    && trace.contains("Caused by: java.lang.IllegalStateException: " + Uris.redact(line)), trace);
            if (!Uris.redact(line).equals(line)) {
                org.junit.jupiter.api.Assertions.assertFalse(shown.contains("p@ss") || shown.contains("f00d"), shown);
            }
        }
    }
}
