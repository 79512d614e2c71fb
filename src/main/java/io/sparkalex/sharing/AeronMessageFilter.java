package io.sparkalex.sharing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ObjectInputFilter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BinaryOperator;

/**
 * An allow-list on what DL4J's gradient-sharing transport may deserialise. Its Aeron transport
 * hands every UDP message to {@code ObjectInputStream} ({@code VoidMessage.fromBytes}), from anyone
 * who reaches the port: without a filter, a crafted message can instantiate any class on the
 * classpath (the classic Java deserialisation attack). Here only DL4J's and ND4J's own classes, and
 * the JDK's basic value and collection types they are made of, are read; anything else is refused
 * (the message is dropped by the transport) and counted.
 *
 * <p>Scoped to those streams: a JVM-wide {@code jdk.serialFilter} would also filter Spark's own task
 * and closure deserialisation (which carries this job's and user classes), so this is a serial filter
 * factory (JDK 17) that gives the allow-list only to an {@code ObjectInputStream} created under
 * {@code VoidMessage.fromBytes}, and leaves every other stream as it was. Installed once per JVM,
 * on the driver and on each executor before its transport starts ({@link ExecutorPortSupplier}).
 */
public final class AeronMessageFilter {
    private static final Logger log = LoggerFactory.getLogger(AeronMessageFilter.class);

    /** DL4J's and ND4J's classes, the JDK's values and collections; nothing else, and no deep graphs. */
    static final String ALLOWED = "maxdepth=100;maxrefs=10000000;maxarray=2147483647;org.nd4j.**;org.deeplearning4j.**;"
            + "java.lang.Number;java.lang.Integer;java.lang.Long;java.lang.Double;java.lang.Float;java.lang.Short;"
            + "java.lang.Byte;java.lang.Boolean;java.lang.Character;java.lang.String;java.lang.Enum;java.lang.Object;"
            + "java.util.*;java.util.concurrent.*;java.util.concurrent.atomic.*;java.util.concurrent.locks.*;"
            + "org.apache.commons.lang3.tuple.*;!*";
    private static final ObjectInputFilter ALLOW_LIST = ObjectInputFilter.Config.createFilter(ALLOWED);
    private static final AtomicLong REJECTED = new AtomicLong();
    private static boolean installed;

    private AeronMessageFilter() {
    }

    /** Installs the filter factory in this JVM (once; a JVM whose factory was set elsewhere is told in the log). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        BinaryOperator<ObjectInputFilter> previous = ObjectInputFilter.Config.getSerialFilterFactory();
        try {
            ObjectInputFilter.Config.setSerialFilterFactory((current, requested) -> {
                ObjectInputFilter base = previous.apply(current, requested);
                if (!readingATransportMessage()) {
                    return base;
                }
                ObjectInputFilter ours = AeronMessageFilter::check;
                return base == null ? ours : ObjectInputFilter.merge(ours, base);
            });
            installed = true;
        } catch (IllegalStateException e) {
            log.warn("cannot install the allow-list for gradient sharing's messages: this JVM's serial filter "
                    + "factory was already set ({}); sharing mode's UDP transport deserialises without it", e.getMessage());
        }
    }

    /** Messages refused by the allow-list in this JVM so far. */
    public static long rejected() {
        return REJECTED.get();
    }

    private static ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
        ObjectInputFilter.Status s = ALLOW_LIST.checkInput(info);
        if (s == ObjectInputFilter.Status.REJECTED && REJECTED.getAndIncrement() == 0) {
            log.warn("gradient sharing: refused a transport message holding {} (not a DL4J/ND4J class); "
                    + "later refusals are counted, not logged", info.serialClass() != null ? info.serialClass().getName()
                    : "more than the allowed depth, references or array length");
        }
        return s;
    }

    /** Whether the stream being made is DL4J's transport reading a message ({@code VoidMessage.fromBytes}). */
    private static boolean readingATransportMessage() {
        return StackWalker.getInstance().walk(frames -> frames.limit(24).anyMatch(f ->
                f.getMethodName().equals("fromBytes") && f.getClassName().startsWith("org.nd4j.parameterserver.")
                        && f.getClassName().endsWith(".VoidMessage")));
    }
}
