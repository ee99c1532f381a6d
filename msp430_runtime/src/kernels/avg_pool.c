/* Average pooling (and global average pooling): one job (one output
 * position, one chunk of channels). */
#include "iprune/hal.h"
#include "iprune/kernels.h"

/* Sums the in-bounds window values of channels [c0, c0 + n_c) in 32 bits
 * (row by row) and divides by their count, rounding half away from zero. */
void iprune_avg_pool(iprune_ctx_t *ctx, const iprune_layer_t *l, uint32_t p,
                     uint16_t c0, uint16_t n_c, int16_t *row, int16_t *out,
                     int32_t *acc) {
  const iprune_window_t win = iprune_pool_window(ctx->model, l, p);
  const uint16_t C = l->input_shapes[0][2];
  int32_t window = 0;
  int32_t ih;
  uint16_t x, c, cols;
  for (c = 0; c < n_c; c++) {
    acc[c] = 0;
  }
  for (ih = win.h0; ih < win.h1 && win.w1 > win.w0; ih++) {
    cols = iprune_pool_window_row(ctx, l, &win, ih, c0, n_c, row);
    for (x = 0; x < cols; x++, window++) {
      const int16_t *v = row + (uint32_t)x * n_c;
      for (c = 0; c < n_c; c++) {
        acc[c] += v[c];
      }
    }
  }
  for (c = 0; c < n_c; c++) {
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
    iprune_hal_cpu(IPRUNE_CPU_ADD, (uint32_t)(window - 1) * n_c);
  }
  iprune_hal_cpu(IPRUNE_CPU_DIV, n_c);
  iprune_fused_relu(l, out, n_c);
  iprune_hal_nvm_write(iprune_tensor_nvm(ctx, l->output) + p * C + c0, out,
                       n_c);
}
