package io.dilemma.planinput;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ModelProfile;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a {@code profile.json} written by {@code shard-worker profile}. */
public final class ProfileFile {
  private ProfileFile() {}

  public static ModelProfile read(Path file) {
    ModelProfile profile;
    try {
      profile = ContractJson.read(file, ModelProfile.class);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(file.toString(), "", "file not found");
    } catch (JsonMappingException e) {
      throw new InvalidInputException(file.toString(), fieldPath(e), firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(file.toString(), "", "not valid JSON: " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new InvalidInputException(file.toString(), "", "cannot read: " + e.getMessage());
    }
    if (profile == null) throw new InvalidInputException(file.toString(), "", "empty file");
    if (profile.schemaVersion() != ModelProfile.SCHEMA_VERSION) {
      throw new InvalidInputException(
          file.toString(), "schemaVersion", "expected " + ModelProfile.SCHEMA_VERSION + ", got " + profile.schemaVersion());
    }
    return profile;
  }

  static String fieldPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) path.append('.');
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String firstLine(String message) {
    return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
  }
}
