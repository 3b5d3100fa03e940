package io.berth.ops.kubectl;

import io.berth.schemas.avro.IntentAction;
import picocli.CommandLine.Command;

/** {@code berth uncordon NODE}: a UNCORDON intent for the node. */
@Command(name = "uncordon", mixinStandardHelpOptions = true, description = "Mark a node schedulable again.")
public final class UncordonCommand extends NodeIntentCommand {

    public UncordonCommand() {}

    @Override
    IntentAction action() {
        return IntentAction.UNCORDON;
    }

    @Override
    String done() {
        return "uncordoned";
    }
}
