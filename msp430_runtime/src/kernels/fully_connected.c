/* Fully connected layer (dense or BSR weights): the LEA operation of one
 * job. */
#include <string.h>

#include "iprune/hal.h"
#include "iprune/kernels.h"

/* Fetches (if asked) input chunk `col` (tile_n inputs of the flattened
 * input, one DMA) and multiplies it by the weight block (tile_n x tile_m)
 * on the LEA. */
void iprune_fully_connected(const iprune_layer_t *l, const int16_t *input,
                            uint16_t group, uint16_t col, uint32_t p0,
                            uint16_t n_t, int fetch,
                            const iprune_lea_operands_t *ops) {
  const uint32_t n = (uint32_t)l->input_shapes[0][0] *
                     l->input_shapes[0][1] * l->input_shapes[0][2];
  const uint16_t tn = l->tile_n;
  const uint32_t c0 = (uint32_t)col * tn;
  (void)group;
  (void)p0;
  if (fetch) {
    memset(ops->in, 0, tn * sizeof(int16_t));
    iprune_hal_nvm_read(ops->in, input + c0,
                        (uint16_t)(n - c0 < tn ? n - c0 : tn));
  }
  iprune_hal_lea_matmul(ops->in, ops->w, ops->out, n_t, tn, l->tile_m,
                        l->shift);
}
