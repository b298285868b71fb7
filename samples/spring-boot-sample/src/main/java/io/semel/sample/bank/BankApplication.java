package io.semel.sample.bank;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A bank on the Semel starter: deposits from the topic {@code deposits} are added to balances in
 * the application's SQLite database exactly once, and each sends a receipt to {@code receipts}
 * through the outbox. Run it next to a broker: {@code semel broker start}, then this main class
 * (settings in application.properties).
 */
@SpringBootApplication
public class BankApplication {
    public static void main(String[] args) {
        SpringApplication.run(BankApplication.class, args);
    }
}
