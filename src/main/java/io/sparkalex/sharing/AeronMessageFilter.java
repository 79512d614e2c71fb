package io.sparkalex.sharing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ObjectInputFilter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An allow-list on what DL4J's gradient-sharing transport may deserialise. Its Aeron transport
 * hands every UDP message to {@code ObjectInputStream} ({@code VoidMessage.fromBytes}), from anyone
 * who reaches the port: without a filter, a crafted message can instantiate any class on the
 * classpath (the classic Java deserialisation attack). Here only DL4J's and ND4J's own classes, and
 * the JDK's basic value and collection types they are made of, are read; anything else is refused
 * (the message is dropped by the transport) and counted.
 *
 * <p>Scoped to those streams: a plain JVM-wide {@code jdk.serialFilter} would also filter Spark's own
 * task and RPC deserialisation (which carries this job's and user classes), and JDK 17's filter
 * factory cannot be set once any {@code ObjectInputStream} was made (Spark makes many before a
 * task of ours runs). So this is the JVM-wide serial filter, which may be set later, and it
 * decides once per top-level object read (depth 1, remembered for the rest of that read on the
 * thread) whether the stream is DL4J's transport reading a message ({@code VoidMessage.fromBytes}
 * on the stack): then the allow-list applies; otherwise it says nothing ({@code UNDECIDED}), and
 * every other stream reads as before. Installed once per JVM, in sharing mode only, on the driver
 * and on each executor before its transport starts ({@link ExecutorPortSupplier}).
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

    /** Installs the filter in this JVM (once; a JVM whose serial filter was set elsewhere is told in the log). */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            ObjectInputFilter.Config.setSerialFilter(AeronMessageFilter::decide);
            installed = true;
        } catch (IllegalStateException e) {
            log.warn("cannot install the allow-list for gradient sharing's messages: this JVM's serial filter was "
                    + "already set ({}); sharing mode's UDP transport deserialises without it", e.getMessage());
        }
    }

    /** Whether the read under way on this thread is a transport message's (decided at depth 1). */
    private static final ThreadLocal<Boolean> TRANSPORT_READ = new ThreadLocal<>();

    private static ObjectInputFilter.Status decide(ObjectInputFilter.FilterInfo info) {
        Boolean transport = TRANSPORT_READ.get();
        if (info.depth() <= 1 || transport == null) {
            transport = readingATransportMessage();
            TRANSPORT_READ.set(transport);
        }
        return transport ? check(info) : ObjectInputFilter.Status.UNDECIDED;
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

    /** Whether this thread is reading a message for DL4J's transport ({@code VoidMessage.fromBytes} on the stack). */
    private static boolean readingATransportMessage() {
        return StackWalker.getInstance().walk(frames -> frames.limit(64).anyMatch(f ->
                f.getMethodName().equals("fromBytes") && f.getClassName().startsWith("org.nd4j.parameterserver.")
                        && f.getClassName().endsWith(".VoidMessage")));
    }
}
