package org.kdharness.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads unsigned-byte IDX files (the MNIST family's format), gzipped or not.
 *
 * <p>Why not Tribuo's {@code IDXDataSource}: it materialises one {@code Feature} object
 * per non-zero pixel (tens of millions for Fashion-MNIST), whereas training wants one dense
 * float buffer; this reader fills that buffer directly in a single pass.
 */
public final class IdxReader {

    private IdxReader() {
    }

    /** An IDX array: its shape (first dimension = examples) and unsigned bytes. */
    public record IdxArray(int[] shape, byte[] data) {
        public int count() {
            return shape[0];
        }

        /** Elements per example (product of all but the first dimension). */
        public int perExample() {
            int n = 1;
            for (int i = 1; i < shape.length; i++) {
                n *= shape[i];
            }
            return n;
        }
    }

    /**
     * Reads at most {@code limit} examples (0 = all).
     *
     * @throws IOException naming the file when it is missing, truncated or not ubyte IDX
     */
    public static IdxArray read(Path file, int limit) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.io.FileNotFoundException("IDX file not found: " + file);
        }
        try {
            return readChecked(file, limit);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a gzip file (" + e.getMessage() + "); an uncompressed IDX file must not end in .gz", e);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated (" + e.getMessage() + ")", e);
        }
    }

    private static IdxArray readChecked(Path file, int limit) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(file.toString().endsWith(".gz")
                     ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw)) {
            int magic = in.readInt();
            int type = (magic >> 8) & 0xFF;
            int dims = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != 0x08 || dims < 1) {
                throw new IOException(file + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int[] shape = new int[dims];
            for (int i = 0; i < dims; i++) {
                shape[i] = in.readInt();
            }
            if (limit > 0 && limit < shape[0]) {
                shape[0] = limit;
            }
            long size = 1;
            for (int s : shape) {
                size *= s;
            }
            byte[] data = new byte[Math.toIntExact(size)];
            try {
                in.readFully(data);
            } catch (EOFException e) {
                throw new IOException(file + ": truncated, expected " + size + " bytes of data", e);
            }
            return new IdxArray(shape, data);
        }
    }
}
