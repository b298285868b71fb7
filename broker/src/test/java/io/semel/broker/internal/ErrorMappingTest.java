package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.log.AppendRejectedException;
import io.semel.log.StorageFullException;
import io.semel.protocol.ApiKey;
import io.semel.protocol.ApiResponse;
import io.semel.protocol.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Every row of ErrorMapping's table, through the wrappers futures put around a failure. */
class ErrorMappingTest {
    private final ErrorMapping mapping = new ErrorMapping();

    private ApiResponse map(Throwable failure) {
        return mapping.toResponse(ApiKey.PRODUCE, new CompletionException(new ExecutionException(failure)), "produce t-0");
    }

    @Test
    void aFullDiskIsNotEnoughSpaceAndRetriable() {
        ApiResponse r = map(new UncheckedIOException(new StorageFullException("No space left on device")));
        assertThat(r.error()).isEqualTo(ErrorCode.NOT_ENOUGH_SPACE);
        assertThat(r.error().retriable()).isTrue();
        assertThat(r.errorMessage()).contains("produce t-0", "disk is full");
    }

    @Test
    void anotherIoErrorIsAStorageErrorWithAnUnknownOutcome() {
        ApiResponse r = map(new IOException("EIO on fsync"));
        assertThat(r.error()).isEqualTo(ErrorCode.STORAGE_ERROR);
        assertThat(r.errorMessage()).contains("outcome unknown");
    }

    @Test
    void rejectionsKeepTheirOwnCode() {
        assertThat(map(new AppendRejectedException(ErrorCode.OUT_OF_ORDER_SEQUENCE, "expected 4, got 6")).error())
                .isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
        assertThat(map(new RequestException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no topic x")).error())
                .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void anythingElseIsUnknownServerErrorUntilShutdownBegins() {
        assertThat(map(new IllegalStateException("bug")).error()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
        mapping.startShutdown();
        assertThat(map(new IllegalStateException("closed")).error()).isEqualTo(ErrorCode.BROKER_SHUTTING_DOWN);
        assertThat(map(new IOException("EIO")).error()).as("storage errors keep their code")
                .isEqualTo(ErrorCode.STORAGE_ERROR);
    }
}
