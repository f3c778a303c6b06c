/**
 * The metrics store and ledger over JDBC (H2 or PostgreSQL, Flyway migrations): trials and their states, epochs,
 * final metrics, runs, teachers, ASHA's rungs, the running trials' view.
 *
 * <p>Why the store is the ledger: claims, resumes and several workers all go through one database, so a killed
 * process loses nothing reported done.
 */
package org.kdharness.store;
