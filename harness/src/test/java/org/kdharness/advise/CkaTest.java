package org.kdharness.advise;

import org.junit.jupiter.api.Test;
import org.kdharness.config.LayerMapping;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Linear CKA's defining properties, a hand-computed case, and the mapping ranking built on it. */
class CkaTest {

    static INDArray random(long seed, int n, int p) {
        Random r = new Random(seed);
        double[][] v = new double[n][p];
        for (double[] row : v) {
            for (int j = 0; j < p; j++) {
                row[j] = r.nextGaussian();
            }
        }
        return Nd4j.create(v);
    }

    /** A random orthogonal matrix (Q of a Gram-Schmidt on a Gaussian matrix). */
    static INDArray orthogonal(long seed, int p) {
        double[][] q = random(seed, p, p).toDoubleMatrix();
        for (int i = 0; i < p; i++) {
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < p; j++) {
                    dot += q[i][j] * q[k][j];
                }
                for (int j = 0; j < p; j++) {
                    q[i][j] -= dot * q[k][j];
                }
            }
            double norm = 0;
            for (int j = 0; j < p; j++) {
                norm += q[i][j] * q[i][j];
            }
            for (int j = 0; j < p; j++) {
                q[i][j] /= Math.sqrt(norm);
            }
        }
        return Nd4j.create(q);
    }

    @Test
    void identicalRepresentationsScoreOne() {
        INDArray x = random(1, 50, 8);
        assertEquals(1.0, Cka.linear(x, x), 1e-12);
    }

    @Test
    void invariantToOrthogonalTransformsAndIsotropicScaling() {
        INDArray x = random(2, 60, 6);
        INDArray y = random(3, 60, 4).add(x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)));
        double base = Cka.linear(x, y);
        assertTrue(base > 0.2 && base < 0.99, "a non-trivial pair: " + base);
        assertEquals(base, Cka.linear(x.mmul(orthogonal(4, 6)), y), 1e-10, "orthogonal transform of X");
        assertEquals(base, Cka.linear(x, y.mmul(orthogonal(5, 4)).mul(7.5)), 1e-10, "rotated and scaled Y");
        assertEquals(base, Cka.linear(x.add(3.0), y), 1e-10, "centring removes offsets");
    }

    @Test
    void handComputedCase() {
        // x = (1,2,3), y = (1,3,2): centred x = (-1,0,1), y = (-1,1,0); K = x x^T, L = y y^T
        // <K,L> = (x.y)^2 = 1; |K| = |x|^2 = 2; |L| = 2  =>  CKA = 1/4
        INDArray x = Nd4j.create(new double[][]{{1}, {2}, {3}});
        INDArray y = Nd4j.create(new double[][]{{1}, {3}, {2}});
        assertEquals(0.25, Cka.linear(x, y), 1e-12);
        assertEquals(0.25, Cka.linear(x.castTo(DataType.FLOAT), y), 1e-6);
    }

    @Test
    void rankingOrdersCandidatesByMeanPairSimilarity() {
        // student 2 layers, teacher 3: s1 resembles t1, s2 resembles t3
        double[][] cka = {{0.9, 0.5, 0.1}, {0.2, 0.4, 0.8}};
        List<Map.Entry<LayerMapping, Double>> ranked = MappingAdvisor.rank(cka);
        assertEquals("s1<-t1,s2<-t3", ranked.get(0).getKey().name());
        assertEquals(0.85, ranked.get(0).getValue(), 1e-12);
        // 3 one-to-one + 2 many-to-one candidates
        assertEquals(5, ranked.size());
        assertEquals((0.9 + (0.4 + 0.8) / 2) / 2, MappingAdvisor.score(
                ranked.stream().filter(e -> e.getKey().name().equals("s1<-t1,s2<-t2+t3")).findFirst().orElseThrow().getKey(), cka), 1e-12);
    }
}
