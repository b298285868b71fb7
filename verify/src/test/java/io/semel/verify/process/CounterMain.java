package io.semel.verify.process;

/** Test child: prints "READY <args> prop=<semel.test.prop>", then "tick N" every 10 ms until killed. */
public final class CounterMain {
    private CounterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("--fail")) {
            System.err.println("refusing to start: --fail given");
            System.exit(3);
        }
        if (args.length > 0 && args[0].equals("--silent")) {
            Thread.sleep(60_000);
        }
        System.out.println("READY " + String.join(",", args) + " prop=" + System.getProperty("semel.test.prop"));
        System.out.flush();
        for (long i = 1; ; i++) {
            System.out.println("tick " + i);
            System.out.flush();
            Thread.sleep(10);
        }
    }
}
