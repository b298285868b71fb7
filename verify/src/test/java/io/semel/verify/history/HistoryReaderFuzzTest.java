package io.semel.verify.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.semel.verify.report.HistoryCheck;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the JSON Lines history reader that {@code semel check} runs on a file
 * someone hands it. For any bytes, {@link HistoryReader#readAll} either returns a history or throws
 * {@link HistoryFormatException} (a line that breaks the format, with its number) or, for bytes
 * that are not UTF-8, {@link CharacterCodingException} (what {@code Files.newBufferedReader} throws
 * on a file); the second target also runs what {@code semel check} does next with a history it
 * read (the header's checker options, then the checker and its summary), which must not throw.
 *
 * <p>Input: the file's bytes. Regression mode replays {@code HistoryReaderFuzzTestInputs/}; see
 * docs/fuzzing.md.
 */
class HistoryReaderFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void readerReturnsAHistoryOrThrowsHistoryFormatException(byte[] file) throws IOException {
        read(file);
    }

    @FuzzTest(maxDuration = "20s")
    void checkOfAnyReadableHistoryCompletes(byte[] file) throws IOException {
        History h = read(file);
        if (h != null) {
            assertThat(HistoryCheck.recheck(h, HistoryCheck.optionsFor(h.header())).result()).isNotNull();
        }
    }

    /** The history, or null when the reader refused the file with one of its typed errors. */
    private static History read(byte[] file) throws IOException {
        Reader in = new InputStreamReader(new ByteArrayInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        try {
            return HistoryReader.readAll(in);
        } catch (HistoryFormatException | CharacterCodingException e) {
            return null;
        }
    }
}
