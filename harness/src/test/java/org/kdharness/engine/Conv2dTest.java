package org.kdharness.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The convolution's backward in chunks of rows computes what {@code conv2d_bp} computes on the whole batch. */
class Conv2dTest {

    @Test
    void everyChunkingCandidateGivesTheWholeBatchsGradients() {
        Nd4j.getRandom().setSeed(7);
        for (int stride : new int[]{1, 2}) {
            Conv2d conv = new Conv2d(Parameter.of("w", Nd4j.randn(DataType.FLOAT, 3, 3, 4, 6)), Parameter.of("b", Nd4j.randn(DataType.FLOAT, 6)),
                    stride);
            INDArray x = Nd4j.randn(DataType.FLOAT, 40, 4, 9, 9); // 40 rows: chunks of 16 leave a last chunk of 8, of 8 none
            INDArray y = conv.forward(x, true);
            INDArray dy = Nd4j.randn(DataType.FLOAT, y.shape());
            List<INDArray[]> results = new ArrayList<>();
            for (int candidate = 0; candidate < ChunkChoice.ROWS.length; candidate++) {
                // the first calls try the candidates in turn: whole batch, chunks of 16, chunks of 8
                INDArray dx = conv.backward(dy).dup();
                results.add(new INDArray[]{dx, conv.parameters().get(0).gradient().dup(), conv.parameters().get(1).gradient().dup()});
            }
            INDArray[] whole = results.get(0);
            assertTrue(whole[1].amaxNumber().doubleValue() > 1 && whole[0].amaxNumber().doubleValue() > 0.1, "real gradients");
            for (int c = 1; c < results.size(); c++) {
                for (int k = 0; k < 3; k++) {
                    double diff = results.get(c)[k].sub(whole[k]).amaxNumber().doubleValue();
                    assertTrue(diff <= 1e-4 * Math.max(1, whole[k].amaxNumber().doubleValue()),
                            "stride " + stride + ", candidate " + ChunkChoice.ROWS[c] + " rows, output " + k + ": " + diff);
                }
            }
        }
    }

    @Test
    void theChoiceIsTheFastestCandidateAfterItsRounds() {
        ChunkChoice choice = new ChunkChoice();
        long[] cost = {50, 10, 30}; // chunks of 16 fastest
        for (int call = 0; call < 9; call++) {
            int s = choice.choose(128);
            assertEquals(call % 3, s, "candidates in turn");
            assertEquals(0, choice.choose(40), "another batch size takes the whole batch while measuring");
            choice.record(40, 0, 1); // not the timed size: ignored
            choice.record(128, s, call < 3 ? 1_000_000 : cost[s]); // the warm-up round does not count
        }
        assertEquals(16, choice.chosenRows());
        assertEquals(1, choice.choose(40), "the choice holds for every size once made");
    }
}
