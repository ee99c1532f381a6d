/* Convolution (dense or BSR weights): the LEA operation of one job. */
#include "iprune/hal.h"
#include "iprune/kernels.h"

/* Fetches (if asked) the input tile of slice `col` and multiplies it by the
 * weight block (tile_n x tile_m) on the LEA. */
void iprune_conv(const iprune_layer_t *l, const int16_t *input,
                 uint16_t group, uint16_t col, uint32_t p0, uint16_t n_t,
                 int fetch, const iprune_lea_operands_t *ops) {
  const uint16_t C = l->input_shapes[0][2], tn = l->tile_n;
  const uint16_t n_chunks = (uint16_t)((C + tn - 1u) / tn);
  const uint16_t c0 = (uint16_t)((col % n_chunks) * tn);
  (void)group;
  if (fetch) {
    /* Slice `col` is a kernel position and a chunk of input channels. */
    iprune_input_tile(l, input, (uint16_t)(col / n_chunks), c0,
                      (uint16_t)(C - c0 < tn ? C - c0 : tn), tn,
                      n_chunks == 1 && l->stride[1] == 1, p0, n_t, ops->in);
  }
  iprune_hal_lea_matmul(ops->in, ops->w, ops->out, n_t, l->tile_n, l->tile_m,
                        l->shift);
}
