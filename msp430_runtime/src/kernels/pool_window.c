/* The in-bounds window of a pooling output position. */
#include "iprune/kernels.h"

iprune_window_t iprune_pool_window(const iprune_model_t *model,
                                   const iprune_layer_t *l, uint32_t p) {
  const int32_t H = l->input_shapes[0][0], W = l->input_shapes[0][1];
  const uint32_t OW = model->tensors[l->output].w;
  const int gap = l->kind == IPRUNE_GAP;
  const int32_t kh = gap ? H : l->kernel[0], kw = gap ? W : l->kernel[1];
  const int32_t sh = gap ? 1 : l->stride[0], sw = gap ? 1 : l->stride[1];
  const int32_t pt = gap ? 0 : l->pads[0], pl = gap ? 0 : l->pads[1];
  iprune_window_t win;
  win.h0 = (int32_t)(p / OW) * sh - pt;
  win.w0 = (int32_t)(p % OW) * sw - pl;
  win.h1 = win.h0 + kh;
  win.w1 = win.w0 + kw;
  if (win.h0 < 0) win.h0 = 0;
  if (win.w0 < 0) win.w0 = 0;
  if (win.h1 > H) win.h1 = H;
  if (win.w1 > W) win.w1 = W;
  if (win.h1 < win.h0) win.h1 = win.h0;
  if (win.w1 < win.w0) win.w1 = win.w0;
  return win;
}
