package io.zktenantproxy.protocol.testkit;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with Netty's leak detector at PARANOID (every buffer tracked, every access recorded), then puts
 * the level back: {@code @ExtendWith(ParanoidLeakDetection.class)}. Too slow for the fuzz tests' thousands of runs,
 * which rely on {@link TrackingAllocator}'s exact reference counts instead.
 */
public final class ParanoidLeakDetection implements BeforeAllCallback, AfterAllCallback {
    private ResourceLeakDetector.Level previous;

    @Override
    public void beforeAll(ExtensionContext context) {
        previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ResourceLeakDetector.setLevel(previous);
    }
}
