/* Depthwise convolution: the LEA operation of one job. */
#include "iprune/hal.h"
#include "iprune/kernels.h"

/* Multiplies the group's input channels element-wise by the block's
 * weights (replicated per position in ops->w) on the LEA. */
void iprune_depthwise_conv(const iprune_layer_t *l, const int16_t *input,
                           uint16_t group, uint16_t col, uint32_t p0,
                           uint16_t n_t, int fetch,
                           const iprune_lea_operands_t *ops) {
  const uint16_t C = l->input_shapes[0][2], tm = l->tile_m;
  const uint16_t c0 = (uint16_t)(group * tm);
  (void)fetch; /* Every block reads its own channels: the group's. */
  iprune_input_tile(l, input, col, c0, (uint16_t)(C - c0 < tm ? C - c0 : tm),
                    tm, l->n_groups == 1 && l->stride[1] == 1, p0, n_t,
                    ops->in);
  iprune_hal_lea_mul(ops->in, ops->w, ops->out, (uint16_t)(n_t * l->tile_m),
                     l->shift);
}
