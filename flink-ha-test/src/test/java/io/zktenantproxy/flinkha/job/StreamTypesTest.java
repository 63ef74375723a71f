package io.zktenantproxy.flinkha.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The job's stream types are Flink POJOs on every Flink line the suite builds against, so none of them falls back to
 * Kryo (which cannot serialize records on Flink before 1.19), and they survive Flink's serializer unchanged.
 */
class StreamTypesTest {
    @Test
    void transferIsAPojo() throws Exception {
        Transfer t = TransferGenerator.transfer(42);
        assertThat(roundTrip(TypeInformation.of(Transfer.class), t)).isEqualTo(t);
    }

    @Test
    void alertIsAPojo() throws Exception {
        Alert a = new Alert("ACC-1001->ACC-2002", FraudRules.EPOCH_MILLIS, FraudRules.EPOCH_MILLIS + 10_000,
                1_234_567, 21);
        assertThat(roundTrip(TypeInformation.of(Alert.class), a)).isEqualTo(a);
    }

    private static <T> T roundTrip(TypeInformation<T> type, T value) throws Exception {
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        assertThat(((PojoTypeInfo<T>) type).getTotalFields()).isEqualTo(5);
        TypeSerializer<T> serializer = serializer(type);
        assertThat(serializer.getClass().getSimpleName()).isEqualTo("PojoSerializer");
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    /**
     * {@code createSerializer(SerializerConfig)} since Flink 1.19 (the only one in 2.x), {@code
     * createSerializer(ExecutionConfig)} before: no signature compiles against every line, so pick one at run time.
     */
    @SuppressWarnings("unchecked")
    private static <T> TypeSerializer<T> serializer(TypeInformation<T> type) throws Exception {
        ExecutionConfig config = new ExecutionConfig();
        try {
            Class<?> serializerConfig = Class.forName("org.apache.flink.api.common.serialization.SerializerConfig");
            Method create = TypeInformation.class.getMethod("createSerializer", serializerConfig);
            return (TypeSerializer<T>) create.invoke(type, ExecutionConfig.class.getMethod("getSerializerConfig")
                    .invoke(config));
        } catch (ClassNotFoundException e) {
            Method create = TypeInformation.class.getMethod("createSerializer", ExecutionConfig.class);
            return (TypeSerializer<T>) create.invoke(type, config);
        }
    }
}
