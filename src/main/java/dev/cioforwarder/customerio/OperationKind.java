package dev.cioforwarder.customerio;

/** The Customer.io person operations the forwarder sends. */
public enum OperationKind {
    IDENTIFY,
    EVENT,
    SCREEN
}
