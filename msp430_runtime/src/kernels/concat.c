/* Channel concatenation with re-scaling to the output exponent: one job. */
#include "iprune/hal.h"
#include "iprune/kernels.h"
#include "iprune/q15.h"

/* Each input element becomes sat16(rshift_round(v, e_out - e_i)) at its
 * channel offset, for positions [p0, p0 + n). */
void iprune_concat(iprune_ctx_t *ctx, const iprune_layer_t *l, uint32_t p0,
                   uint16_t n, int16_t *buf) {
  const iprune_model_t *m = ctx->model;
  const uint16_t C = m->tensors[l->output].c;
  const int16_t e_out = m->tensors[l->output].exponent;
  uint32_t in_words = 0;
  int16_t *out;
  uint16_t i, pos, c, offset = 0;
  for (i = 0; i < l->n_inputs; i++) {
    const uint16_t ci = l->input_shapes[i][2];
    iprune_hal_nvm_read(buf + in_words,
                        iprune_tensor_nvm(ctx, l->inputs[i]) + p0 * ci,
                        (uint16_t)(n * ci));
    in_words += (uint32_t)n * ci;
  }
  out = buf + in_words;
  in_words = 0;
  for (i = 0; i < l->n_inputs; i++) {
    const uint16_t ci = l->input_shapes[i][2];
    const int16_t shift = (int16_t)(e_out - m->tensors[l->inputs[i]].exponent);
    for (pos = 0; pos < n; pos++) {
      const int16_t *src = buf + in_words + (uint32_t)pos * ci;
      int16_t *dst = out + (uint32_t)pos * C + offset;
      for (c = 0; c < ci; c++) {
        dst[c] = iprune_sat16(iprune_rshift_round(src[c], shift));
      }
    }
    in_words += (uint32_t)n * ci;
    offset = (uint16_t)(offset + ci);
  }
  iprune_hal_cpu(IPRUNE_CPU_ADD, (uint32_t)n * C);
  iprune_fused_relu(l, out, (uint32_t)n * C);
  iprune_hal_nvm_write(iprune_tensor_nvm(ctx, l->output) + p0 * C, out,
                       (uint16_t)(n * C));
}
