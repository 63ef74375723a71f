package io.zktenantproxy.proxy.compat;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Makes a ZooKeeper 3.4 client connect on Java 14+: its {@code StaticHostProvider.getHostString(InetSocketAddress)}
 * takes an unresolved address's host as the part of {@code toString()} before the last colon, which was
 * {@code "host:port"} up to Java 13 and is {@code "host/<unresolved>:port"} since, so the host it then resolves is
 * {@code "127.0.0.1/<unresolved>"} and every connection attempt fails ({@code UnresolvedAddressException}). The
 * patched method returns {@code addr.getHostString()}, the same string the parse gave on older Java; nothing else of
 * the client changes. Used by {@link ClientLoader} for the 3.4.14 clients of the matrix (plain and Flink 1.12's).
 */
final class HostStringPatch {
    /** The patched class, as its name ends (plain or relocated by Flink). */
    static final String CLASS = "org.apache.zookeeper.client.StaticHostProvider";
    private static final String METHOD = "getHostString";
    private static final String DESCRIPTOR = "(Ljava/net/InetSocketAddress;)Ljava/lang/String;";

    private HostStringPatch() {
    }

    /**
     * @param classFile {@code StaticHostProvider}'s class file
     * @return it with {@code getHostString}'s body replaced
     * @throws IllegalStateException if the class has no such method (not a 3.4 client)
     */
    static byte[] apply(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        // the new body has no branches, so it needs no stack map frames; the old body's are dropped with it
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        boolean[] found = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor target = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (!METHOD.equals(name) || !DESCRIPTOR.equals(descriptor)) {
                    return target;
                }
                found[0] = true;
                writeBody(target, (access & Opcodes.ACC_STATIC) != 0 ? 0 : 1);
                return null; // the original body is not copied
            }
        }, 0);
        if (!found[0]) {
            throw new IllegalStateException(CLASS + " has no " + METHOD + DESCRIPTOR);
        }
        return writer.toByteArray();
    }

    private static void writeBody(MethodVisitor method, int addressSlot) {
        method.visitCode();
        method.visitVarInsn(Opcodes.ALOAD, addressSlot);
        method.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/net/InetSocketAddress", "getHostString",
                "()Ljava/lang/String;", false);
        method.visitInsn(Opcodes.ARETURN);
        method.visitMaxs(0, 0);
        method.visitEnd();
    }
}
