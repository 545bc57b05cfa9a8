package io.cohort.samples.starter;

/**
 * A greeting, as published on the pub/sub channel {@value StarterPlugin#GREETINGS_CHANNEL} and sent as a sync
 * message. Payloads are records so that Jackson writes and reads them without extra configuration.
 *
 * @param name who was greeted
 * @param text the greeting text
 * @param nodeId the node that greeted
 */
public record Greeting(String name, String text, String nodeId) {
}
