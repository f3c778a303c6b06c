/**
 * Running a sweep: config loading and validation with file:line:field errors, plan expansion, the trial and sweep
 * runners, ASHA, stopping on a signal, the wall-time estimate and its calibrations.
 *
 * <p>Why one package for the run's lifecycle: a trial is claimed, trained, stored and reported by the same loop
 * whether it is a first run, a resume or one of several workers.
 */
package org.kdharness.sweep;
