package io.dilemma.prober.load;

import io.dilemma.commandline.BadInput;
import java.io.IOException;

/**
 * The cgroup root or node cgroup the prober was given does not fit the host: a setting to fix
 * (exit code 2), not a failure of the moment.
 */
public final class CgroupSettingException extends IOException implements BadInput {
  public CgroupSettingException(String message) {
    super(message);
  }
}
