package dev.cioforwarder.job;

import dev.cioforwarder.privacy.ErasureOutcome;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side output on which the user-state function reports erasures with nobody to delete. */
final class ErasureOutput {

    static final OutputTag<ErasureOutcome> TAG =
            new OutputTag<>("erasure-outcomes", TypeInformation.of(ErasureOutcome.class));

    private ErasureOutput() {}
}
