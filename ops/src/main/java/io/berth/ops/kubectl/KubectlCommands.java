package io.berth.ops.kubectl;

import java.util.List;

/** The kubectl-style subcommands, for the top-level {@code berth} command to register. */
public final class KubectlCommands {
    private KubectlCommands() {}

    public static final List<Class<?>> ALL = List.of(ApplyCommand.class, GetCommand.class, ScaleCommand.class, AutoscaleCommand.class, DeleteCommand.class,
            CordonCommand.class, UncordonCommand.class, DrainCommand.class,
            DescribeCommand.class, LogsCommand.class, ClusterInfoCommand.class, VersionCommand.class,
            RolloutCommand.class, SetCommand.class, HistoryCommand.class, DiffCommand.class, AuthCommand.class, WaitCommand.class,
            ExecCommand.class, PortForwardCommand.class, TopCommand.class, CreateCommand.class,
            DashboardCommand.class);
}
