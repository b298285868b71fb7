package io.semel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.protocol.Ack;
import io.semel.protocol.CreateTopic;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.FrameCodec;
import io.semel.protocol.JoinGroup;
import io.semel.protocol.ListTopics;
import io.semel.protocol.Poll;
import io.semel.protocol.Produce;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BadInputTest extends BrokerTestSupport {

    private void assertStillServes(TestClient other) throws Exception {
        assertThat(other.call(new ListTopics.Request(), ListTopics.Response.class).error()).isEqualTo(ErrorCode.NONE);
    }

    @Test
    void randomBytesCloseOnlyThatConnection() throws Exception {
        startBroker();
        try (TestClient other = TestClient.hello(broker.port()); TestClient c = TestClient.connect(broker.port())) {
            byte[] junk = new byte[4096];
            new Random(7).nextBytes(junk);
            junk[0] = 0x7f; // a length far above maxFrameBytes
            c.sendRaw(junk);
            TestClient.Answer a = c.receive();
            assertThat(a.response().error()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
            assertThat(c.closedByPeer()).isTrue();
            assertStillServes(other);
        }
    }

    @Test
    void aLengthBelowTheHeaderClosesWithoutAnswer() throws Exception {
        startBroker();
        try (TestClient other = TestClient.hello(broker.port()); TestClient c = TestClient.hello(broker.port())) {
            c.sendRaw(new byte[] {0, 0, 0, 3, 1, 2, 3});
            assertThat(c.closedByPeer()).isTrue();
            assertStillServes(other);
        }
    }

    @Test
    void anOversizedFrameIsAnsweredByItsRequestIdAndClosed() throws Exception {
        startBroker(configBuilder().maxFrameBytes(64 * 1024).maxBatchBytes(32 * 1024).maxRecordBytes(16 * 1024).fetchMaxBytes(32 * 1024).build());
        try (TestClient other = TestClient.hello(broker.port()); TestClient c = TestClient.hello(broker.port())) {
            ByteBuffer header = ByteBuffer.allocate(12).putInt(1_000_000).putShort((short) 6).putShort((short) 1)
                    .putInt(4242);
            c.sendRaw(header.array());
            TestClient.Answer a = c.receive();
            assertThat(a.requestId()).isEqualTo(4242);
            assertThat(a.response().error()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
            assertThat(a.response().errorMessage()).contains("65536");
            assertThat(c.closedByPeer()).isTrue();
            assertStillServes(other);
        }
    }

    @Test
    void anUnknownApiKeyIsAnsweredAndClosed() throws Exception {
        startBroker();
        try (TestClient other = TestClient.hello(broker.port()); TestClient c = TestClient.hello(broker.port())) {
            ByteBuffer frame = ByteBuffer.allocate(12).putInt(8).putShort((short) 99).putShort((short) 1).putInt(77);
            c.sendRaw(frame.array());
            TestClient.Answer a = c.receive();
            assertThat(a.requestId()).isEqualTo(77);
            assertThat(a.response().error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(c.closedByPeer()).isTrue();
            assertStillServes(other);
        }
    }

    @Test
    void aMalformedBodyOrUnsupportedVersionIsAnsweredAndTheConnectionStaysOpen() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            // CREATE_TOPIC with a body cut short.
            c.sendRaw(ByteBuffer.allocate(13).putInt(9).putShort((short) 2).putShort((short) 1).putInt(5).put((byte) 1)
                    .array());
            TestClient.Answer a = c.receive();
            assertThat(a.requestId()).isEqualTo(5);
            assertThat(a.response().error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            c.sendRaw(ByteBuffer.allocate(12).putInt(8).putShort((short) 3).putShort((short) 9).putInt(6).array());
            assertThat(c.receive().response().error()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertStillServes(c);
        }
    }

    @Test
    void aCorruptBatchIsRefusedAndNeverReachesTheLog() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            createTopic(c, "t", 1);
            ByteBuffer frame = new FrameCodec().encodeRequest(9, new Produce.Request("t", 0, 0,
                    TestClient.plainBatch("good")));
            byte[] bytes = new byte[frame.remaining()];
            frame.get(bytes);
            bytes[bytes.length - 2] ^= 0x55; // inside the record: CRC no longer matches
            c.sendRaw(bytes);
            TestClient.Answer a = c.receive();
            assertThat(a.requestId()).isEqualTo(9);
            assertThat(a.response().error()).isEqualTo(ErrorCode.CORRUPT_MESSAGE);
            assertThat(fetchAll(c, "t", 0)).isEmpty();
        }
    }

    @Test
    void unknownTopicAndInvalidNameGetTheirCodesOnAnOpenConnection() throws Exception {
        startBroker();
        try (TestClient c = TestClient.hello(broker.port())) {
            assertThat(c.call(new Produce.Request("ghost", 0, 0, TestClient.plainBatch("a")), Produce.Response.class)
                    .error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(c.call(new CreateTopic.Request("a b", 1), CreateTopic.Response.class).error())
                    .isEqualTo(ErrorCode.INVALID_TOPIC_NAME);
            assertThat(c.call(new CreateTopic.Request("..", 1), CreateTopic.Response.class).error())
                    .isEqualTo(ErrorCode.INVALID_TOPIC_NAME);
            assertStillServes(c);
        }
    }

    @Test
    void groupApisAnswerThatGroupsAreUnavailableWithoutACoordinator() throws Exception {
        broker = Broker.start(configBuilder().build(), new io.semel.broker.internal.UnavailableGroupRequests());
        try (TestClient c = TestClient.hello(broker.port())) {
            JoinGroup.Response j = c.call(new JoinGroup.Request("g", "t", null, 1000), JoinGroup.Response.class);
            assertThat(j.error()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
            assertThat(j.errorMessage()).isEqualTo("consumer groups are not available in this build");
            Ack.Response ack = c.call(new Ack.Request("g", "m", List.of(new Ack.Item(0, 1, 0))), Ack.Response.class);
            assertThat(ack.error()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
            // Answered in the layout of the version asked for, as every answer is.
            for (short v = Poll.VERSION_PLAIN; v <= Poll.VERSION_RUNS; v++) {
                Poll.Response poll = c.call(new Poll.Request("g", "m", 10, 0,
                        List.of(), v), Poll.Response.class);
                assertThat(poll.error()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
                assertThat(poll.version()).isEqualTo(v);
            }
            assertStillServes(c);
        }
    }
}
