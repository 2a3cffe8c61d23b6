package io.dilemma.planinput;

import io.dilemma.contract.ModelProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a {@code profile.json} written by {@code shard-worker profile}. */
public final class ProfileFile {
  private ProfileFile() {}

  public static ModelProfile read(Path file) {
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(file.toString(), "", "file not found");
    } catch (IOException e) {
      throw new InvalidInputException(file.toString(), "", "cannot read: " + e.getMessage());
    }
    try {
      return ProfileJson.parse(json);
    } catch (InvalidInputException e) {
      throw e.inFile(file.toString());
    }
  }
}
