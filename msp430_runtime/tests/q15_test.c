/* Q15 helpers and the software LEA against hand-computed values. */
#include <stdio.h>

#include "iprune/q15.h"
#include "lea_c.h"

static int failures = 0;
#define CHECK(cond)                                                    \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
              #cond);                                                  \
      failures++;                                                      \
    }                                                                  \
  } while (0)

static void test_rshift_round(void) {
  CHECK(iprune_rshift_round(5, 1) == 3);   /* 2.5 rounds up */
  CHECK(iprune_rshift_round(-5, 1) == -2); /* -2.5 rounds up */
  CHECK(iprune_rshift_round(-6, 2) == -1); /* -1.5 -> -1 */
  CHECK(iprune_rshift_round(7, 0) == 7);
  CHECK(iprune_rshift_round(-3, -4) == -48);
  CHECK(iprune_rshift_round(1, -61) == ((int64_t)1 << 61));
  CHECK(iprune_rshift_round(2, -62) == IPRUNE_Q15_HUGE);
  CHECK(iprune_rshift_round(-2, -62) == -IPRUNE_Q15_HUGE);
  CHECK(iprune_rshift_round(((int64_t)1 << 45) + 1, 62) == 0);
}

static void test_sat16(void) {
  CHECK(iprune_sat16(40000) == 32767);
  CHECK(iprune_sat16(-40000) == -32768);
  CHECK(iprune_sat16(-32768) == -32768);
  CHECK(iprune_sat16(12) == 12);
}

static void test_lea(void) {
  /* (2 x 3) x (3 x 2), shift 1. */
  const int16_t a[6] = {1, 2, 3, -4, 5, -6};
  const int16_t b[6] = {7, 8, 9, 10, 11, 12};
  int16_t out[4];
  const int16_t big[2] = {-32768, -32768};
  int16_t sat[1];
  iprune_lea_c_matmul(a, b, out, 2, 3, 2, 1);
  /* Row 0: 1*7+2*9+3*11 = 58 -> 29; 1*8+2*10+3*12 = 64 -> 32.
   * Row 1: -28+45-66 = -49 -> -24 (-24.5 rounds up); -32+50-72 = -54 -> -27. */
  CHECK(out[0] == 29 && out[1] == 32 && out[2] == -24 && out[3] == -27);
  /* Exact 64-bit sum: 2 * 2^30 does not wrap. */
  iprune_lea_c_matmul(big, big, sat, 1, 2, 1, 0);
  CHECK(sat[0] == 32767);
  iprune_lea_c_mul(a, b, out, 4, 2);
  /* 7/4 -> 2, 16/4 -> 4, 27/4 -> 7, -40/4 -> -10. */
  CHECK(out[0] == 2 && out[1] == 4 && out[2] == 7 && out[3] == -10);
}

int main(void) {
  test_rshift_round();
  test_sat16();
  test_lea();
  if (failures) {
    fprintf(stderr, "q15_test: %d failures\n", failures);
    return 1;
  }
  printf("q15_test: ok\n");
  return 0;
}
