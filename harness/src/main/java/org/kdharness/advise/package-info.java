/**
 * Mapping advice before and after a sweep: linear CKA between student and teacher layers, and mappings ranked by it.
 *
 * <p>Why a package: choosing layer mappings is the field's hard problem; the advice reads trained networks and the
 * store, and nothing here trains.
 */
package org.kdharness.advise;
