/**
 * The {@code kd} command line (picocli): one class per subcommand, each a thin layer over {@code sweep}, {@code
 * report} and {@code store}, with the exit codes and one-line errors the README lists.
 *
 * <p>Why thin: every behaviour a command shows is tested where it lives; a command only parses, calls and prints.
 */
package org.kdharness.cli;
