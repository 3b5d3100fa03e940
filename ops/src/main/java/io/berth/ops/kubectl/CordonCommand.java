package io.berth.ops.kubectl;

import io.berth.schemas.avro.IntentAction;
import picocli.CommandLine.Command;

/** {@code berth cordon NODE}: a CORDON intent for the node. */
@Command(name = "cordon", mixinStandardHelpOptions = true, description = "Mark a node unschedulable.")
public final class CordonCommand extends NodeIntentCommand {

    public CordonCommand() {}

    @Override
    IntentAction action() {
        return IntentAction.CORDON;
    }

    @Override
    String done() {
        return "cordoned";
    }
}
