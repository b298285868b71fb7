package io.semel.verify.run;

import io.semel.verify.run.child.ChildArgs;
import io.semel.verify.run.child.ChildChannel;

/**
 * A stand-in processor child for {@link ArmWhileDownTest}: connects its event channel, says READY, prints the faults
 * it was armed with from its start ({@code --armed}) and waits to be killed.
 */
public final class ArmedMain {
    private ArmedMain() {
    }

    public static void main(String[] argv) throws Exception {
        ChildArgs args = ChildArgs.parse(argv);
        ChildChannel.connect(args);
        System.out.println("ARMED-AT-START " + args.get("armed", "-"));
        System.out.println("READY " + args.get("name") + " generation " + args.get("generation"));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
