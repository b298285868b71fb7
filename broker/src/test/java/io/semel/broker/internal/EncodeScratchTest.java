package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EncodeScratchTest {
    @Test
    void keepsTheLargerArrayAnAnswerGrewIntoUpToTheLimit() {
        EncodeScratch s = EncodeScratch.ofThisThread();
        byte[] first = s.take();
        s.keep(null);
        s.keep(new byte[16]); // smaller: the answer fit, nothing to keep
        assertThat(s.take()).isSameAs(first);

        byte[] grown = new byte[EncodeScratch.BYTES_MAX];
        s.keep(grown);
        assertThat(s.take()).isSameAs(grown);

        s.keep(new byte[EncodeScratch.BYTES_MAX + 1]); // beyond the limit: left to the GC
        assertThat(s.take()).isSameAs(grown);
        assertThat(s.bytes()).isEqualTo(EncodeScratch.BYTES_MAX);
    }

    @Test
    void eachThreadHasItsOwn() throws Exception {
        AtomicReference<EncodeScratch> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(EncodeScratch.ofThisThread()));
        t.start();
        t.join();

        assertThat(other.get()).isNotNull().isNotSameAs(EncodeScratch.ofThisThread());
        assertThat(EncodeScratch.ofThisThread()).isSameAs(EncodeScratch.ofThisThread());
    }
}
