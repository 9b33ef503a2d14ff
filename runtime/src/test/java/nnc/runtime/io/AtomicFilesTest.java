package nnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir
  Path dir;

  @Test
  void replacesTheTarget() throws IOException {
    Path f = dir.resolve("a.bin");
    Files.write(f, new byte[] {9, 9, 9});
    AtomicFiles.write(f, out -> out.write(new byte[] {1, 2}));
    assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(f));
    assertEquals(List.of(f), Files.list(dir).toList());
  }

  @Test
  void keepsTheOldFileAndCleansUpWhenWritingFails() throws IOException {
    Path f = dir.resolve("keep.bin");
    Files.write(f, new byte[] {7});
    var e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
      out.write(new byte[1000]);
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, out -> {
      throw new UncheckedIOException(new IOException("boom"));
    }));
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(f));
    assertEquals(List.of(f), Files.list(dir).toList());
  }

  @Test
  void createsFilesWithTheUsualPermissions() throws IOException {
    Assumptions.assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null);
    Path plain = Files.write(dir.resolve("plain.bin"), new byte[1]);
    Path atomic = dir.resolve("atomic.bin");
    AtomicFiles.write(atomic, out -> out.write(1));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
  }

  @Test
  void acceptsARelativeTarget() throws IOException {
    Path f = Path.of("target", "atomic-files-test.bin");
    Files.createDirectories(f.getParent());
    AtomicFiles.write(f, out -> out.write(5));
    assertArrayEquals(new byte[] {5}, Files.readAllBytes(f));
    Files.delete(f);
  }
}
