/**
 * The wire test kit: the one place tests build and read ZooKeeper frames, shipped to the other modules' tests as the
 * protocol module's test-jar. {@link io.zktenantproxy.protocol.testkit.JuteFrames} writes well-formed frames with
 * ZooKeeper's own jute records, {@link io.zktenantproxy.protocol.testkit.RawFrame} writes anything at all (hostile
 * input), and {@link io.zktenantproxy.protocol.testkit.JuteReader} and
 * {@link io.zktenantproxy.protocol.testkit.ServerReply} read frames back with the jute records. Opcodes and special
 * xids are {@link io.zktenantproxy.protocol.OpCode} and {@link io.zktenantproxy.protocol.Xids}.
 */
package io.zktenantproxy.protocol.testkit;
