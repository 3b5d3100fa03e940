package io.berth.ops.kubectl;

import io.berth.schemas.avro.IntentAction;
import picocli.CommandLine.Command;

/** {@code berth drain NODE}: a DRAIN intent for the node. */
@Command(name = "drain", mixinStandardHelpOptions = true, description = "Cordon a node and move its tasks elsewhere.")
public final class DrainCommand extends NodeIntentCommand {

    public DrainCommand() {}

    @Override
    IntentAction action() {
        return IntentAction.DRAIN;
    }

    @Override
    String done() {
        return "drained";
    }
}
