package dev.cioforwarder.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout docs/CONTRIBUTING.md promises, as rules that fail the build when broken: a plain-Java
 * core with a thin Flink shell, one place that talks HTTP to Customer.io, and packages without
 * cycles.
 */
class ArchitectureTest {

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.cioforwarder");
    }

    @Test
    void onlyTheJobPackageKnowsFlink() {
        noClasses()
                .that()
                .resideOutsideOfPackages("dev.cioforwarder.job..", "dev.cioforwarder.settings..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.flink..")
                .because(
                        "the rules, the state machine, the encoders and the delivery logic are"
                                + " plain Java: the preview command, the tools and the unit tests"
                                + " run them without Flink")
                .check(production);
    }

    @Test
    void settingsUseOnlyFlinksConfigurationClasses() {
        noClasses()
                .that()
                .resideInAPackage("dev.cioforwarder.settings..")
                .should()
                .dependOnClassesThat(
                        com.tngtech.archunit.base.DescribedPredicate.describe(
                                "Flink classes other than its configuration options",
                                c ->
                                        c.getPackageName().startsWith("org.apache.flink")
                                                && !c.getPackageName()
                                                        .startsWith(
                                                                "org.apache.flink.configuration")))
                .because(
                        "settings are Flink ConfigOptions, read and validated without the rest of"
                                + " Flink, so the preview command needs only flink-core")
                .check(production);
    }

    @Test
    void onlyDeliveryTalksToCustomerioOverHttp() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.cioforwarder.delivery..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.asynchttpclient..")
                .because("one HTTP client, with its retries and timeouts in one place")
                .check(production);
    }

    @Test
    void theJobNeverCallsTheCommandLineTools() {
        noClasses()
                .that()
                .resideOutsideOfPackages(
                        "dev.cioforwarder.ops..",
                        "dev.cioforwarder.preview..",
                        "dev.cioforwarder.tools..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.cioforwarder.ops..",
                        "dev.cioforwarder.preview..",
                        "dev.cioforwarder.tools..",
                        "picocli..")
                .because(
                        "the job jar leaves these packages and picocli out (they ship in the tools"
                                + " jar): a call into them would fail on the cluster at run time")
                .check(production);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.cioforwarder.(*)..").should().beFreeOfCycles().check(production);
    }
}
