package io.semel.verify.run.child;

/**
 * A stand-in processor child for {@code ZombieHoldTest}: once the harness arms the zombie it reaches its step only
 * {@code --late-ms} later (a processor that meets its next batch late in the window), stops itself there as the Kafka
 * processor does ({@link KafkaProcessorChild#inTransaction}), and once continued prints how long it was stopped.
 */
public final class LateZombieMain {
    private LateZombieMain() {
    }

    public static void main(String[] argv) throws Exception {
        ChildArgs args = ChildArgs.parse(argv);
        ChildChannel channel = ChildChannel.connect(args);
        ChildHistory history = new ChildHistory(channel, args.get("name"), args.getInt("generation"));
        long lateMs = Long.parseLong(args.get("late-ms"));
        System.out.println("READY " + args.get("name") + " generation " + args.get("generation"));
        System.out.flush();
        String zombie = io.semel.verify.schedule.FaultKind.ZOMBIE.wireName();
        while (!channel.armed(zombie)) {
            Thread.sleep(10);
        }
        Thread.sleep(lateMs);
        long stoppedAt = System.nanoTime();
        KafkaProcessorChild.inTransaction(channel, history);
        System.out.println("STOPPED-FOR " + (System.nanoTime() - stoppedAt) / 1_000_000);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
