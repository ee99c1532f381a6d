/* Argmax of the output vector (first index on ties). */
#include "iprune/kernels.h"

uint32_t iprune_argmax(const int16_t *values, uint32_t n) {
  uint32_t best = 0, i;
  for (i = 1; i < n; i++) {
    if (values[i] > values[best]) best = i;
  }
  return best;
}
