package io.semel.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.semel.client.DefiniteFailureException;
import io.semel.client.Producer;
import io.semel.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A message far above the limits names the per-record limit a user controls, not only the batch limit. */
class RecordLimitMessageTest {
    @TempDir
    Path dataDir;

    @Test
    void aTwentyMegabyteMessageReportsTheOneMebibyteRecordLimitByName() throws Exception {
        try (RealBroker broker = RealBroker.start(dataDir)) {
            broker.createTopic("t", 1);
            try (Producer p = Producer.builder(broker.bootstrap()).build()) {
                Throwable t = catchThrowable(() -> p.send("t", new byte[20_000_000]).get(30, TimeUnit.SECONDS));
                assertThat(t).isInstanceOf(ExecutionException.class);
                DefiniteFailureException e = (DefiniteFailureException) t.getCause();
                assertThat(e.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
                assertThat(e.getMessage()).contains("record of 2000").contains("maxRecordBytes")
                        .contains("1 MiB = 1048576 bytes").contains("nothing was sent");
            }
        }
    }
}
