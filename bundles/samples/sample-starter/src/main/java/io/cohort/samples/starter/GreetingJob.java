package io.cohort.samples.starter;

/**
 * A task on the queue channel {@value StarterPlugin#JOBS_CHANNEL}: deliver greeting number {@code number} to
 * {@code name}.
 *
 * @param name who was greeted
 * @param number the greeting's number in the application-wide count
 */
public record GreetingJob(String name, long number) {
}
