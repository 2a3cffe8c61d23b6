package io.dilemma.operator.plan;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * Copies a record into its twin: another record type whose components have the same names and
 * types, in the same order. The planner's shards and predicted times have such twins in the
 * status (the CRD module cannot see the planner), so one copy serves both directions, and a
 * component added to one twin only fails the copy (and its test) instead of being dropped.
 */
final class MirroredRecords {
  private MirroredRecords() {}

  static <T extends Record> T copy(Record source, Class<T> twin) {
    RecordComponent[] from = source.getClass().getRecordComponents();
    RecordComponent[] to = twin.getRecordComponents();
    if (!Arrays.equals(signature(from), signature(to))) {
      throw new IllegalArgumentException(
          source.getClass().getName() + " and " + twin.getName() + " are not twins: "
              + Arrays.toString(signature(from)) + " vs " + Arrays.toString(signature(to)));
    }
    Object[] values = new Object[from.length];
    Class<?>[] types = new Class<?>[to.length];
    try {
      for (int i = 0; i < from.length; i++) {
        values[i] = from[i].getAccessor().invoke(source);
        types[i] = to[i].getType();
      }
      return twin.getDeclaredConstructor(types).newInstance(values);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot copy " + source.getClass().getName() + " into " + twin.getName(), e);
    }
  }

  private static String[] signature(RecordComponent[] components) {
    return Arrays.stream(components).map(c -> c.getType().getName() + " " + c.getName()).toArray(String[]::new);
  }
}
