package io.sparkalex.bench;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where one training step's time goes, layer by layer: each layer's forward and backward pass
 * timed on its own (the network's layers called one at a time, as {@code fit} calls them, with
 * a barrier on the result; the layers keep the state of their forward pass for the backward, as
 * in {@code fit}), against the whole {@code fit} step; the rest of the step is the
 * updater, the score and DL4J's bookkeeping. Conv and dense layers also get their GFLOP/s, to
 * read against sgemm: which kernels are below the machine's rate and which time is memory-bound
 * element-wise work rather than arithmetic. Medians over the timed steps.
 */
final class StepProfile {
    private StepProfile() {
    }

    static Map<String, Object> measure(MultiLayerConfiguration conf, List<DataSet> batches, int imageSize, int steps,
                                       double sgemm) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
        net.init();
        net.fit(batches.get(0));
        Layer[] layers = net.getLayers();
        List<InputType> outs = conf.getLayerActivationTypes(InputType.convolutional(imageSize, imageSize, 3));
        double[][] forward = new double[layers.length][steps];
        double[][] backward = new double[layers.length][steps];
        double[] fit = new double[steps];
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        for (int s = 0; s < steps; s++) {
            DataSet ds = batches.get((s + 1) % batches.size());
            int mb = ds.numExamples();
            INDArray a = ds.getFeatures();
            for (int i = 0; i < layers.length; i++) {
                long t = System.nanoTime();
                InputPreProcessor pre = conf.getInputPreProcess(i);
                INDArray in = pre == null ? a : pre.preProcess(a, mb, mgr);
                if (layers[i] instanceof IOutputLayer o) {
                    o.setLabels(ds.getLabels());
                }
                a = layers[i].activate(in, true, mgr);
                Nd4j.getExecutioner().commit();
                forward[i][s] = (System.nanoTime() - t) / 1e9;
            }
            INDArray eps = null;
            for (int i = layers.length - 1; i >= 0; i--) {
                long t = System.nanoTime();
                Pair<Gradient, INDArray> p = layers[i].backpropGradient(eps, mgr);
                eps = p.getSecond();
                InputPreProcessor pre = conf.getInputPreProcess(i);
                if (pre != null && eps != null) {
                    eps = pre.backprop(eps, mb, mgr);
                }
                Nd4j.getExecutioner().commit();
                backward[i][s] = (System.nanoTime() - t) / 1e9;
            }
            long t = System.nanoTime();
            net.fit(ds);
            fit[s] = (System.nanoTime() - t) / 1e9;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        double layersSum = 0;
        int batch = batches.get(0).numExamples();
        for (int i = 0; i < layers.length; i++) {
            double f = median(forward[i]);
            double b = median(backward[i]);
            layersSum += f + b;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("layer", i + " " + conf.getConf(i).getLayer().getClass().getSimpleName());
            row.put("forward_seconds", f);
            row.put("backward_seconds", b);
            double macs = TrainingFlops.layerMacs(conf, outs, i);
            if (macs > 0) {
                double gflops = 3 * 2 * macs * batch / (f + b) / 1e9;
                row.put("gflops", gflops);
                row.put("fraction_of_sgemm", gflops / sgemm);
            }
            rows.add(row);
        }
        double step = median(fit);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("steps", steps);
        result.put("fit_step_seconds", step);
        result.put("layers_seconds", layersSum);
        result.put("rest_seconds", step - layersSum);
        result.put("layers", rows);
        return result;
    }

    /** The profile as lines: a layer a line, its share of the fit step. */
    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> profile) {
        double step = (Double) profile.get("fit_step_seconds");
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%n%-28s %9s %9s %7s %8s %6s%n", "layer (one step)",
                "forward", "backward", "share", "GFLOP/s", "sgemm"));
        for (Map<String, Object> r : (List<Map<String, Object>>) profile.get("layers")) {
            double f = (Double) r.get("forward_seconds");
            double b = (Double) r.get("backward_seconds");
            sb.append(String.format(Locale.ROOT, "%-28s %9.3f %9.3f %6.1f%% %8s %6s%n", r.get("layer"), f, b,
                    100 * (f + b) / step, r.containsKey("gflops") ? String.format(Locale.ROOT, "%.1f", r.get("gflops")) : "",
                    r.containsKey("fraction_of_sgemm")
                            ? String.format(Locale.ROOT, "%.0f%%", 100 * (Double) r.get("fraction_of_sgemm")) : ""));
        }
        sb.append(String.format(Locale.ROOT, "%-28s %19.3f %6.1f%%%n", "updater, score, bookkeeping",
                (Double) profile.get("rest_seconds"), 100 * (Double) profile.get("rest_seconds") / step));
        sb.append(String.format(Locale.ROOT, "%-28s %19.3f%n", "fit step (median)", step));
        return sb.toString();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
