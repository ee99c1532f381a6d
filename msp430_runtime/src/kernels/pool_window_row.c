/* One row of a pooling window, for the job's channels. */
#include "iprune/hal.h"
#include "iprune/kernels.h"

uint16_t iprune_pool_window_row(iprune_ctx_t *ctx, const iprune_layer_t *l,
                                const iprune_window_t *win, int32_t ih,
                                uint16_t c0, uint16_t n_c, int16_t *row) {
  const uint16_t W = l->input_shapes[0][1], C = l->input_shapes[0][2];
  const uint16_t cols = (uint16_t)(win->w1 - win->w0);
  const int16_t *first = iprune_tensor_nvm(ctx, l->inputs[0]) +
                         ((uint32_t)ih * W + (uint32_t)win->w0) * C + c0;
  uint16_t x;
  if (n_c == C) {
    /* All channels: the row's positions are contiguous in NVM. */
    iprune_hal_nvm_read(row, first, (uint16_t)(cols * C));
  } else {
    for (x = 0; x < cols; x++) {
      iprune_hal_nvm_read(row + (uint32_t)x * n_c, first + (uint32_t)x * C,
                          n_c);
    }
  }
  return cols;
}
