package io.dilemma.worker.model.cli;

import io.dilemma.worker.model.core.ModelException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the model commands: user errors (bad files, bad arguments) become one line on stderr and
 * exit code 1, never a stack trace.
 */
public abstract class ModelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  protected abstract void run() throws Exception;

  @Override
  public final Integer call() {
    try {
      run();
      return 0;
    } catch (ModelException | IllegalArgumentException e) {
      err().println("error: " + e.getMessage());
    } catch (IOException e) {
      err().println("error: " + e.getMessage());
    } catch (UncheckedIOException e) {
      err().println("error: " + e.getCause().getMessage());
    } catch (Exception e) {
      err().println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    err().flush();
    return 1;
  }

  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  protected PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
