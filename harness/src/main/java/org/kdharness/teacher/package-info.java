/**
 * Teachers: trained here and cached on disk by a key hashing their data and settings, or imported from ONNX; their
 * outputs shared by every trial of a sweep.
 *
 * <p>Why cached: a teacher is trained once per data and recipe, and its outputs are computed once per worker.
 */
package org.kdharness.teacher;
