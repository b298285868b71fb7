package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.broker.internal.ControlledClock;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's wall clock jumps (the verify harness's clock-jump fault, through {@link ControlledClock}):
 * consumer-group timing — sessions, long polls — must not follow it. Before, a jump back held a POLL for
 * as long as the jump, and a jump forward expired every member at once.
 */
class ClockJumpTest {
    @TempDir
    Path dir;

    Broker broker;
    Path offsetFile;

    @BeforeEach
    void start() throws Exception {
        offsetFile = dir.resolve("clock-offset.ms");
        System.setProperty(ControlledClock.OFFSET_FILE_PROPERTY, offsetFile.toString());
        try {
            broker = Broker.start(BrokerConfig.builder(dir.resolve("data")).port(0).ioThreads(2).build());
        } finally {
            System.clearProperty(ControlledClock.OFFSET_FILE_PROPERTY);
        }
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private void jumpTo(long offsetMs) throws Exception {
        Files.writeString(offsetFile, Long.toString(offsetMs));
        Thread.sleep(200); // the clock re-reads its file every 20 ms
    }

    @Test
    void aLongPollEndsOnTimeWhenTheWallClockJumpsBack() throws Exception {
        try (TestClient c = TestClient.hello(broker.port())) {
            BrokerTestSupport.createTopic(c, "t", 1);
            String member = c.join("g", "t", 10_000);
            jumpTo(60_000);
            long started = System.nanoTime();
            int id = c.send(new Poll.Request("g", member, 10, 1_000));
            Thread.sleep(200);
            jumpTo(0);
            TestClient.Answer a = c.receive();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(a.requestId()).isEqualTo(id);
            assertThat(((Poll.Response) a.response()).error()).isEqualTo(ErrorCode.NONE);
            assertThat(tookMs).as("a 1 s long poll, whatever the wall clock did").isLessThan(15_000);
        }
    }

    @Test
    void aWallClockJumpForwardDoesNotExpireLiveMembers() throws Exception {
        try (TestClient c = TestClient.hello(broker.port())) {
            BrokerTestSupport.createTopic(c, "t", 1);
            String member = c.join("g", "t", 10_000);
            jumpTo(120_000); // far past the 10 s session timeout
            Thread.sleep(500); // several group ticks
            assertThat(c.heartbeat("g", member).error()).as("member still alive").isEqualTo(ErrorCode.NONE);
        }
    }
}
