package io.zktenantproxy.protocol.testkit;

import io.zktenantproxy.protocol.OpCode;
import org.apache.jute.Record;

/**
 * One op of a {@code MultiOperationRecord} (or one result of a {@code MultiResponse}) for
 * {@link JuteFrames#multi}: the type its {@code MultiHeader} carries, possibly one ZooKeeper lacks, and its record.
 */
public record SubOp(int type, Record body) {
    public SubOp(OpCode op, Record body) {
        this(op.code(), body);
    }
}
