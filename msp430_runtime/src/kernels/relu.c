/* A ReLU layer that could not be fused into its producer: one job. */
#include "iprune/hal.h"
#include "iprune/kernels.h"

void iprune_relu(iprune_ctx_t *ctx, const iprune_layer_t *l, uint32_t p0,
                 uint16_t n, int16_t *buf) {
  const uint16_t C = ctx->model->tensors[l->output].c;
  const uint16_t words = (uint16_t)(n * C);
  uint16_t e;
  iprune_hal_nvm_read(buf, iprune_tensor_nvm(ctx, l->inputs[0]) + p0 * C,
                      words);
  for (e = 0; e < words; e++) {
    if (buf[e] < 0) buf[e] = 0;
  }
  iprune_hal_cpu(IPRUNE_CPU_MAX, words);
  iprune_hal_nvm_write(iprune_tensor_nvm(ctx, l->output) + p0 * C, buf,
                       words);
}
