package io.semel.protocol.scram;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of both sides of the SCRAM exchange: whatever the peer sends, the only
 * exception is {@link ScramException}, and the exchange ends in FAILED (or, for the one message
 * that proves the password, SUCCEEDED).
 *
 * <p>Input: the two messages a side receives, split at the first NUL byte (client-first and
 * client-final for the server; server-first and server-final for the client). Regression mode
 * replays {@code ScramFuzzTestInputs/}; see docs/fuzzing.md.
 */
class ScramFuzzTest {
    static final String USER = "user";
    static final char[] PASSWORD = "pencil".toCharArray();
    static final String CLIENT_NONCE = "fyko+d2lbbFgONRv9qkxdawL";
    static final String SERVER_NONCE = "3rfcNHYJY1ZVvWVs7j";
    private static final ScramCredential CREDENTIAL = Scram.credential(PASSWORD,
            "QSXCR+Q6sek8bf92".getBytes(StandardCharsets.UTF_8), Scram.ITERATIONS_MIN);
    /**
     * The client computes PBKDF2 with the iteration count the server names (bounded by
     * ITERATIONS_MAX, tested in ScramTest); inputs above this are skipped so the fuzzer spends its
     * time parsing, not hashing.
     */
    private static final int ITERATIONS_FUZZED_MAX = 2 * Scram.ITERATIONS_MIN;
    private static final Pattern ITERATIONS = Pattern.compile("(?:^|,)i=\\+?0*(\\d{5,}|[5-9]\\d{3})", Pattern.UNICODE_CHARACTER_CLASS);

    @FuzzTest(maxDuration = "20s")
    void serverParsesClientMessagesOrThrowsScramException(byte[] input) {
        byte[][] messages = split(input);
        ScramServer server = new ScramServer(u -> Optional.ofNullable(Map.of(USER, CREDENTIAL).get(u)),
                new byte[] {1, 2, 3}, SERVER_NONCE);
        try {
            server.firstResponse(messages[0]);
            server.finalResponse(messages[1]);
            assertThat(server.state()).isEqualTo(ScramServer.State.SUCCEEDED);
        } catch (ScramException e) {
            assertThat(server.state()).isEqualTo(ScramServer.State.FAILED);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void clientParsesServerMessagesOrThrowsScramException(byte[] input) {
        byte[][] messages = split(input);
        String serverFirst = new String(messages[0], StandardCharsets.UTF_8);
        Matcher big = ITERATIONS.matcher(serverFirst);
        if (big.find() && (big.group(1).length() > 9 || Long.parseLong(big.group(1)) > ITERATIONS_FUZZED_MAX)) {
            return;
        }
        ScramClient client = new ScramClient(USER, PASSWORD.clone(), CLIENT_NONCE);
        client.firstMessage();
        try {
            client.finalMessage(messages[0]);
            client.verify(messages[1]);
            assertThat(client.state()).isEqualTo(ScramClient.State.SUCCEEDED);
        } catch (ScramException e) {
            assertThat(client.state()).isEqualTo(ScramClient.State.FAILED);
        }
    }

    /** The bytes before the first NUL, and after it (empty when there is none). */
    static byte[][] split(byte[] input) {
        for (int i = 0; i < input.length; i++) {
            if (input[i] == 0) {
                return new byte[][] {Arrays.copyOfRange(input, 0, i), Arrays.copyOfRange(input, i + 1, input.length)};
            }
        }
        return new byte[][] {input, new byte[0]};
    }
}
