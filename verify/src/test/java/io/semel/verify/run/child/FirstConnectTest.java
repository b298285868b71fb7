package io.semel.verify.run.child;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.semel.client.DefiniteFailureException;
import io.semel.client.OutcomeUnknownException;
import io.semel.protocol.ErrorCode;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FirstConnectTest {
    @Test
    void retriesTheClientsOwnFailuresUntilTheBrokerAnswers() {
        AtomicInteger attempts = new AtomicInteger();
        String connected = FirstConnect.untilUp(() -> {
            int n = attempts.incrementAndGet();
            if (n == 1) {
                throw new DefiniteFailureException(ErrorCode.BROKER_SHUTTING_DOWN, "HELLO not sent: connection refused");
            }
            if (n == 2) {
                throw new OutcomeUnknownException("JOIN_GROUP sent but not answered");
            }
            return "consumer";
        });
        assertEquals("consumer", connected);
        assertEquals(3, attempts.get());
    }

    @Test
    void aBugIsNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThrows(IllegalStateException.class, () -> FirstConnect.untilUp(() -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("not a connection failure");
        }));
        assertEquals(1, attempts.get());
    }
}
