package io.semel.sample.bank;

import io.semel.processor.ProcessorMessage;
import io.semel.processor.ProcessorTransaction;
import io.semel.processor.store.HandlerException;
import io.semel.spring.SemelHandler;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.springframework.stereotype.Component;

/**
 * Applies one deposit, {@code "<account>:<amount>"}, inside the processor's transaction: the balance
 * update, the receipt (an outbox row) and Semel's inbox record and position commit together, so a
 * crash or a redelivery never adds a deposit twice. Stateless, so safe on any processor thread.
 */
@Component
public class DepositHandler {
    public static final String DEPOSITS = "deposits";
    public static final String RECEIPTS = "receipts";

    @SemelHandler(topic = DEPOSITS, group = "bank")
    public void apply(ProcessorMessage message, ProcessorTransaction tx) throws SQLException, HandlerException {
        String text = new String(message.value(), StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        long amount;
        try {
            amount = Long.parseLong(text.substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // A poison message: rolled back and nacked; the broker dead-letters it after its deliveries.
            throw new HandlerException("deposit '" + text + "' is not <account>:<amount>", e);
        }
        String account = text.substring(0, colon);
        try (PreparedStatement ps = tx.connection().prepareStatement("INSERT INTO accounts (id, balance) VALUES (?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET balance = accounts.balance + excluded.balance")) {
            ps.setString(1, account);
            ps.setLong(2, amount);
            ps.executeUpdate();
        }
        tx.send(RECEIPTS, account.getBytes(StandardCharsets.UTF_8),
                ("deposited " + amount + " to " + account).getBytes(StandardCharsets.UTF_8));
    }
}
