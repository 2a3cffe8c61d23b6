package io.dilemma.commandline;

/**
 * Marks an exception whose message names the file, field or flag the user must fix. A command that
 * fails with one prints that message on one line and exits {@link ExitCode#BAD_INPUT}.
 */
public interface BadInput {}
