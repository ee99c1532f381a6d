/* Max pooling: one job (one output position). */
#include "iprune/hal.h"
#include "iprune/kernels.h"

/* Reads the window row by row (one DMA per row with in-bounds inputs), takes
 * the maximum over the in-bounds values, writes C outputs. */
void iprune_max_pool(iprune_ctx_t *ctx, const iprune_layer_t *l, uint32_t p,
                     int16_t *row, int16_t *out) {
  const iprune_window_t win = iprune_pool_window(ctx->model, l, p);
  const uint16_t W = l->input_shapes[0][1], C = l->input_shapes[0][2];
  const int16_t *input = iprune_tensor_nvm(ctx, l->inputs[0]);
  const uint16_t cols = (uint16_t)(win.w1 - win.w0);
  const uint32_t window = (uint32_t)(win.h1 - win.h0) * cols;
  int first = 1;
  int32_t ih;
  uint16_t x, c;
  for (c = 0; c < C; c++) {
    out[c] = 0;
  }
  for (ih = win.h0; ih < win.h1 && cols; ih++) {
    iprune_hal_nvm_read(row, input + ((uint32_t)ih * W + win.w0) * C,
                        (uint16_t)(cols * C));
    for (x = 0; x < cols; x++) {
      const int16_t *v = row + (uint32_t)x * C;
      for (c = 0; c < C; c++) {
        if (first || v[c] > out[c]) out[c] = v[c];
      }
      first = 0;
    }
  }
  if (window > 1) {
    iprune_hal_cpu(IPRUNE_CPU_MAX, (window - 1u) * C);
  }
  iprune_fused_relu(l, out, C);
  iprune_hal_nvm_write(iprune_tensor_nvm(ctx, l->output) + p * C, out, C);
}
