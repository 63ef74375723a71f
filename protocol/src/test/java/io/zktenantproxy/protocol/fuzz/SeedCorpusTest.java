package io.zktenantproxy.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed seed corpus is what {@link SeedCorpus} generates: a change to the generator without regenerating
 * (or a lost file) fails here, so the fuzz tests' regression runs keep replaying every seed.
 */
class SeedCorpusTest {
    @Test
    void clientSeedsAreCommitted() throws IOException {
        assertCommitted(SeedCorpus.CLIENT_DIR, SeedCorpus.client());
    }

    @Test
    void serverSeedsAreCommitted() throws IOException {
        assertCommitted(SeedCorpus.SERVER_DIR, SeedCorpus.server());
    }

    private static void assertCommitted(String dir, Map<String, byte[]> seeds) throws IOException {
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            String resource = "/" + dir + "/" + seed.getKey();
            try (InputStream in = SeedCorpusTest.class.getResourceAsStream(resource)) {
                assertNotNull(in, resource + " missing: run SeedCorpus.main from protocol/");
                assertArrayEquals(seed.getValue(), in.readAllBytes(), resource + " differs from SeedCorpus");
            }
        }
    }
}
