/* Element-wise add of inputs at different exponents: one job. */
#include "iprune/hal.h"
#include "iprune/kernels.h"
#include "iprune/q15.h"

/* out = sat16(sum_i rshift_round(x_i, e_out - e_i)), then the fused ReLU,
 * for positions [p0, p0 + n); one DMA per input and one for the output. */
void iprune_add(iprune_ctx_t *ctx, const iprune_layer_t *l, uint32_t p0,
                uint16_t n, int16_t *buf) {
  const iprune_model_t *m = ctx->model;
  const uint16_t C = m->tensors[l->output].c;
  const int16_t e_out = m->tensors[l->output].exponent;
  const uint16_t words = (uint16_t)(n * C);
  int16_t *out = buf + (uint32_t)l->n_inputs * words;
  uint16_t i, e;
  for (i = 0; i < l->n_inputs; i++) {
    iprune_hal_nvm_read(buf + (uint32_t)i * words,
                        iprune_tensor_nvm(ctx, l->inputs[i]) + p0 * C, words);
  }
  for (e = 0; e < words; e++) {
    int64_t sum = 0;
    for (i = 0; i < l->n_inputs; i++) {
      const int16_t shift =
          (int16_t)(e_out - m->tensors[l->inputs[i]].exponent);
      sum += iprune_rshift_round(buf[(uint32_t)i * words + e], shift);
    }
    out[e] = iprune_sat16(sum);
  }
  iprune_hal_cpu(IPRUNE_CPU_ADD, words);
  iprune_fused_relu(l, out, words);
  iprune_hal_nvm_write(iprune_tensor_nvm(ctx, l->output) + p0 * C, out,
                       words);
}
