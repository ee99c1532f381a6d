/* The ReLU fused into a CPU layer's outputs. */
#include "iprune/hal.h"
#include "iprune/kernels.h"

void iprune_fused_relu(const iprune_layer_t *l, int16_t *v, uint32_t n) {
  uint32_t i;
  if (l->activation != IPRUNE_ACT_RELU) {
    return;
  }
  for (i = 0; i < n; i++) {
    if (v[i] < 0) v[i] = 0;
  }
  iprune_hal_cpu(IPRUNE_CPU_MAX, n);
}
