package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.ClusterOverview;
import dev.cioforwarder.ops.JobControl.Deadline;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * For scripts/stack.sh, which starts the local cluster's processes: waits until the JobManager
 * counts the TaskManagers and slots it should (and a given TaskManager has registered), while the
 * process that was started stays alive.
 */
@Command(
        name = "await-taskmanagers",
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        customSynopsis =
                "await-taskmanagers [--id RESOURCE_ID] [--count N] [--slots N] [--pid PID]"
                        + " [--timeout SECONDS] [--flink URL]",
        description = {
            "",
            "Waits until the cluster reports at least --count TaskManagers and --slots slots, and"
                    + " the TaskManager --id has registered. Exit status 1 when --pid ends first or"
                    + " time runs out.",
            ""
        })
final class AwaitTaskManagersCommand extends OpsSubcommand {

    @Option(names = "--id", paramLabel = "RESOURCE_ID", description = "a TaskManager's id")
    String id;

    @Option(names = "--count", paramLabel = "N", description = "TaskManagers at least")
    int count;

    @Option(names = "--slots", paramLabel = "N", description = "slots at least")
    int slots;

    @Option(
            names = "--pid",
            paramLabel = "PID",
            description = "give up when this process (the TaskManager started) ends")
    Long pid;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "default 120")
    int timeoutSeconds = 120;

    @Override
    int execute() {
        JobControl control = control();
        FlinkRestClient flink = control.flink();
        Deadline deadline = new Deadline(Duration.ofSeconds(timeoutSeconds));
        String seen = "nothing yet";
        while (true) {
            if (pid != null && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                throw OpsFailure.nothingChanged("process " + pid + " ended before " + wanted());
            }
            try {
                ClusterOverview overview = flink.overview();
                boolean registered = id == null || flink.taskManagerIds().contains(id);
                seen =
                        overview.taskManagers()
                                + " TaskManager(s) and "
                                + overview.slotsTotal()
                                + " slots"
                                + (registered ? "" : ", " + id + " not registered");
                if (registered
                        && overview.taskManagers() >= count
                        && overview.slotsTotal() >= slots) {
                    console.info("Flink reports " + seen);
                    return 0;
                }
            } catch (FlinkRestException | FlinkUnreachableException e) {
                seen = e.getMessage();
            }
            if (deadline.expired()) {
                throw OpsFailure.nothingChanged(
                        "after "
                                + timeoutSeconds
                                + "s Flink reports "
                                + seen
                                + ", expected "
                                + wanted());
            }
            control.sleep();
        }
    }

    private String wanted() {
        return count
                + " TaskManager(s) and "
                + slots
                + " slots"
                + (id != null ? " with " + id + " registered" : "");
    }
}
