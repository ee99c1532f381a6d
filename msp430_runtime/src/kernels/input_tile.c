/* The input tile of one accelerator operation (shared by conv and
 * depthwise conv). */
#include <string.h>

#include "iprune/hal.h"
#include "iprune/kernels.h"

/* Reads `len` positions of `width` words starting at `src` into rows
 * [row, row + len) of a matrix with `stride` words per row. */
static void flush(int16_t *in, uint16_t stride, uint16_t row, uint16_t len,
                  const int16_t *src, uint16_t width) {
  if (len) {
    iprune_hal_nvm_read(in + (uint32_t)row * stride, src,
                        (uint16_t)(len * width));
  }
}

void iprune_input_tile(const iprune_layer_t *l, const int16_t *input,
                       uint16_t kpos, uint16_t c0, uint16_t width,
                       uint16_t stride, int merge, uint32_t p0, uint16_t n_t,
                       int16_t *in) {
  const int32_t H = l->input_shapes[0][0], W = l->input_shapes[0][1];
  const uint16_t C = l->input_shapes[0][2];
  const int32_t kh = kpos / l->kernel[1], kw = kpos % l->kernel[1];
  const int32_t OW =
      (W + l->pads[1] + l->pads[3] - l->kernel[1]) / l->stride[1] + 1;
  const int16_t *run_src = 0;
  uint16_t run_row = 0, run_len = 0, i;
  memset(in, 0, (uint32_t)n_t * stride * sizeof(int16_t));
  for (i = 0; i < n_t; i++) {
    const uint32_t p = p0 + i;
    const int32_t oh = (int32_t)(p / (uint32_t)OW);
    const int32_t ow = (int32_t)(p % (uint32_t)OW);
    const int32_t ih = oh * l->stride[0] - l->pads[0] + kh;
    const int32_t iw = ow * l->stride[1] - l->pads[1] + kw;
    if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
      flush(in, stride, run_row, run_len, run_src, width);
      run_len = 0;
    } else if (merge && run_len && ow != 0) {
      run_len++;
    } else {
      flush(in, stride, run_row, run_len, run_src, width);
      run_src = input + ((uint32_t)ih * (uint32_t)W + (uint32_t)iw) * C + c0;
      run_row = i;
      run_len = 1;
    }
  }
  flush(in, stride, run_row, run_len, run_src, width);
}
