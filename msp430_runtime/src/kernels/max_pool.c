/* Max pooling: one job (one output position, one chunk of channels). */
#include "iprune/hal.h"
#include "iprune/kernels.h"

/* Reads the window row by row, takes the maximum over the in-bounds values
 * of channels [c0, c0 + n_c), writes n_c outputs. */
void iprune_max_pool(iprune_ctx_t *ctx, const iprune_layer_t *l, uint32_t p,
                     uint16_t c0, uint16_t n_c, int16_t *row, int16_t *out) {
  const iprune_window_t win = iprune_pool_window(ctx->model, l, p);
  const uint16_t C = l->input_shapes[0][2];
  uint32_t window = 0;
  int32_t ih;
  uint16_t x, c, cols;
  for (c = 0; c < n_c; c++) {
    out[c] = 0;
  }
  for (ih = win.h0; ih < win.h1 && win.w1 > win.w0; ih++) {
    cols = iprune_pool_window_row(ctx, l, &win, ih, c0, n_c, row);
    for (x = 0; x < cols; x++, window++) {
      const int16_t *v = row + (uint32_t)x * n_c;
      for (c = 0; c < n_c; c++) {
        if (window == 0 || v[c] > out[c]) out[c] = v[c];
      }
    }
  }
  if (window > 1) {
    iprune_hal_cpu(IPRUNE_CPU_MAX, (window - 1u) * n_c);
  }
  iprune_fused_relu(l, out, n_c);
  iprune_hal_nvm_write(iprune_tensor_nvm(ctx, l->output) + p * C + c0, out,
                       n_c);
}
