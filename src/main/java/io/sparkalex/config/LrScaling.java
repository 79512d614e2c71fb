package io.sparkalex.config;

/**
 * How the learning rate follows the global batch (workers x batch_size): as given, or linearly
 * (learning_rate and lr_min are one worker's, multiplied by the workers).
 */
public enum LrScaling { NONE, LINEAR }
