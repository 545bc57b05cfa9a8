package io.cohort.shell;

/**
 * Arguments of a shell command that Gogo accepted but that do not fit together, such as neither task ids nor
 * {@code --all} for {@code queue:retry}. The command socket prints the message with the command's usage, as it does
 * when Gogo finds no method for the arguments.
 */
public final class InvalidArgumentsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception; {@code reason} describes what is wrong with the arguments, without the usage. */
    public InvalidArgumentsException(String reason) {
        super(reason);
    }
}
