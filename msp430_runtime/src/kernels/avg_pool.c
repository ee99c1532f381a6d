/* Average pooling (and global average pooling): one job. */
#include "iprune/hal.h"
#include "iprune/kernels.h"

/* Sums the in-bounds window values in 32 bits (one DMA per window row) and
 * divides by their count, rounding half away from zero. */
void iprune_avg_pool(iprune_ctx_t *ctx, const iprune_layer_t *l, uint32_t p,
                     int16_t *row, int16_t *out, int32_t *acc) {
  const iprune_window_t win = iprune_pool_window(ctx->model, l, p);
  const uint16_t W = l->input_shapes[0][1], C = l->input_shapes[0][2];
  const int16_t *input = iprune_tensor_nvm(ctx, l->inputs[0]);
  const uint16_t cols = (uint16_t)(win.w1 - win.w0);
  const int32_t window = (win.h1 - win.h0) * (int32_t)cols;
  int32_t ih;
  uint16_t x, c;
  for (c = 0; c < C; c++) {
    acc[c] = 0;
  }
  for (ih = win.h0; ih < win.h1 && cols; ih++) {
    iprune_hal_nvm_read(row, input + ((uint32_t)ih * W + win.w0) * C,
                        (uint16_t)(cols * C));
    for (x = 0; x < cols; x++) {
      const int16_t *v = row + (uint32_t)x * C;
      for (c = 0; c < C; c++) {
        acc[c] += v[c];
      }
    }
  }
  for (c = 0; c < C; c++) {
    const int32_t s = acc[c];
    if (window == 0) {
      out[c] = 0;
    } else if (s >= 0) {
      out[c] = (int16_t)((s + window / 2) / window);
    } else {
      out[c] = (int16_t)(-((-s + window / 2) / window));
    }
  }
  if (window > 1) {
    iprune_hal_cpu(IPRUNE_CPU_ADD, (uint32_t)(window - 1) * C);
  }
  iprune_hal_cpu(IPRUNE_CPU_DIV, C);
  iprune_fused_relu(l, out, C);
  iprune_hal_nvm_write(iprune_tensor_nvm(ctx, l->output) + p * C, out, C);
}
