/**
 * The wire test kit: the one place tests build and read ZooKeeper frames, shipped to the other modules' tests as the
 * protocol module's test-jar. {@link io.zktenantproxy.protocol.testkit.JuteFrames} writes well-formed frames with
 * ZooKeeper's own jute records, {@link io.zktenantproxy.protocol.testkit.RawFrame} writes anything at all (hostile
 * input), and {@link io.zktenantproxy.protocol.testkit.JuteReader} and
 * {@link io.zktenantproxy.protocol.testkit.ServerReply} read frames back with the jute records. Opcodes and special
 * xids are {@link io.zktenantproxy.protocol.OpCode} and {@link io.zktenantproxy.protocol.Xids}.
 *
 * <p>The golden data, the independent oracle the proxy's output is compared with: {@link
 * io.zktenantproxy.protocol.testkit.GoldenCases} (a request of every opcode and what must go upstream for chroot
 * {@link io.zktenantproxy.protocol.testkit.GoldenCases#CHROOT}) and {@link
 * io.zktenantproxy.protocol.testkit.GoldenReplies} (a reply of every opcode and what the client must get), both
 * written with the jute records; {@link io.zktenantproxy.protocol.testkit.UpstreamInvariants}, what any frame sent
 * upstream must satisfy; {@link io.zktenantproxy.protocol.testkit.Mutation}, the edits the fuzz tests damage golden
 * frames with.
 *
 * <p>Buffers: {@link io.zktenantproxy.protocol.testkit.TrackingAllocator} proves every buffer was released and sums
 * what was allocated; {@link io.zktenantproxy.protocol.testkit.ParanoidLeakDetection} runs a test class under Netty's
 * PARANOID leak detector.
 */
package io.zktenantproxy.protocol.testkit;
