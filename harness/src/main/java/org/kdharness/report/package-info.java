/**
 * The HTML report (Freemarker, inline SVG charts), its verdict and statistics, and the CSV, LaTeX and Markdown
 * exports, all computed from the store.
 *
 * <p>Why from the store only: a report can be written again at any time, by any machine, and every number in it can
 * be recomputed from the rows.
 */
package org.kdharness.report;
