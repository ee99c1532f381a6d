/* Q15 arithmetic shared by the engine and the software LEA; bit-exact with
 * tf_iprune.export.reference (docs/design.md, "Q15 arithmetic"). */
#ifndef IPRUNE_Q15_H_
#define IPRUNE_Q15_H_

#include <stdint.h>

/* Magnitude that stands for "saturated" after an overflowing left shift;
 * anything this large saturates every later sat16. */
#define IPRUNE_Q15_HUGE ((int64_t)1 << 62)

/* s > 0: floor((v + 2^(s-1)) / 2^s); s = 0: v; s < 0: v * 2^-s, saturated
 * to +-2^62 where it would not fit (model.bin keeps |s| <= 62). */
static inline int64_t iprune_rshift_round(int64_t v, int16_t s) {
  if (s > 0) {
    return (v + ((int64_t)1 << (s - 1))) >> s;
  }
  if (s == 0 || v == 0) {
    return v;
  }
  {
    const int64_t limit = (int64_t)1 << (62 + s);
    if (v >= limit) return IPRUNE_Q15_HUGE;
    if (v <= -limit) return -IPRUNE_Q15_HUGE;
    return v * ((int64_t)1 << -s);
  }
}

static inline int16_t iprune_sat16(int64_t v) {
  if (v > INT16_MAX) return INT16_MAX;
  if (v < INT16_MIN) return INT16_MIN;
  return (int16_t)v;
}

#endif /* IPRUNE_Q15_H_ */
