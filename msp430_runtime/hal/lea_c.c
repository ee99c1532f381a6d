/* Software LEA with the Q15 semantics of docs/design.md: products summed
 * exactly in 64 bits, then sat16(rshift_round(acc, shift)). */
#include "lea_c.h"

#include "iprune/q15.h"

void iprune_lea_c_matmul(const int16_t *a, const int16_t *b, int16_t *out,
                         uint16_t rows, uint16_t inner, uint16_t cols,
                         int16_t shift) {
  uint16_t r, c, k;
  for (r = 0; r < rows; r++) {
    const int16_t *ar = a + (uint32_t)r * inner;
    for (c = 0; c < cols; c++) {
      int64_t acc = 0;
      const int16_t *bc = b + c;
      for (k = 0; k < inner; k++) {
        acc += (int32_t)ar[k] * bc[(uint32_t)k * cols];
      }
      out[(uint32_t)r * cols + c] = iprune_sat16(iprune_rshift_round(acc,
                                                                     shift));
    }
  }
}

void iprune_lea_c_mul(const int16_t *a, const int16_t *b, int16_t *out,
                      uint16_t n, int16_t shift) {
  uint16_t i;
  for (i = 0; i < n; i++) {
    out[i] = iprune_sat16(iprune_rshift_round((int32_t)a[i] * b[i], shift));
  }
}
