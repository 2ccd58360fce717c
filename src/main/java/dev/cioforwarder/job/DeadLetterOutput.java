package dev.cioforwarder.job;

import dev.cioforwarder.deadletter.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side output on which the parser and the user-state function send dead letters. */
final class DeadLetterOutput {

    static final OutputTag<DeadLetter> TAG =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private DeadLetterOutput() {}
}
