package org.kdharness.config;

/**
 * Where metrics are recorded.
 *
 * @param jdbcUrl any JDBC URL (H2 file or server, PostgreSQL); empty means an H2 file
 *                database under {@code reports/<sweep>/}
 */
public record StoreSpec(String jdbcUrl) {
}
