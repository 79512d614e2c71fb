package io.sparkalex.eval;

import io.sparkalex.data.DataReport;

import java.io.Serializable;

/**
 * What one {@link EvaluateFiles} task returns: the scores of the images it could read and what
 * happened to each of its rows. A plain class, not a record: Spark's Kryo cannot serialize records.
 */
final class FileEvaluation implements Serializable {
    private static final long serialVersionUID = 1L;
    private final EvalResult result;
    private final DataReport rows;

    FileEvaluation(EvalResult result, DataReport rows) {
        this.result = result;
        this.rows = rows;
    }

    EvalResult result() {
        return result;
    }

    DataReport rows() {
        return rows;
    }

    FileEvaluation plus(FileEvaluation o) {
        return new FileEvaluation(result.plus(o.result), new DataReport().merge(rows).merge(o.rows));
    }
}
