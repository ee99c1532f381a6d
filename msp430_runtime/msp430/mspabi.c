/* The MSP430 EABI run-time helpers that clang calls for multiplication,
 * division and 64-bit shifts (no hardware multiplier is assumed: mspdebug's
 * simulator has it at another address than the FR5994). Written with
 * additions and single-bit shifts only, so that they never call themselves.
 */
#include <stdint.h>

int16_t __mspabi_mpyi(int16_t a, int16_t b);
int32_t __mspabi_mpyl(int32_t a, int32_t b);
uint16_t __mspabi_divu(uint16_t n, uint16_t d);
uint16_t __mspabi_remu(uint16_t n, uint16_t d);
int16_t __mspabi_divi(int16_t n, int16_t d);
int16_t __mspabi_remi(int16_t n, int16_t d);
uint32_t __mspabi_divul(uint32_t n, uint32_t d);
uint32_t __mspabi_remul(uint32_t n, uint32_t d);
int32_t __mspabi_divli(int32_t n, int32_t d);
int32_t __mspabi_remli(int32_t n, int32_t d);
int64_t __ashldi3(int64_t a, int16_t b);
int64_t __ashrdi3(int64_t a, int16_t b);

int16_t __mspabi_mpyi(int16_t a, int16_t b) {
  uint16_t x = (uint16_t)a, y = (uint16_t)b, r = 0;
  while (y) {
    if (y & 1u) r = (uint16_t)(r + x);
    x = (uint16_t)(x << 1);
    y >>= 1;
  }
  return (int16_t)r;
}

int32_t __mspabi_mpyl(int32_t a, int32_t b) {
  uint32_t x = (uint32_t)a, y = (uint32_t)b, r = 0;
  while (y) {
    if (y & 1u) r += x;
    x <<= 1;
    y >>= 1;
  }
  return (int32_t)r;
}

/* Restoring division; d == 0 gives quotient 0 and remainder n. */
static uint32_t udivmod32(uint32_t n, uint32_t d, uint32_t *rem) {
  uint32_t q = 0, r = 0;
  int16_t bit;
  if (d == 0) {
    *rem = n;
    return 0;
  }
  for (bit = 31; bit >= 0; bit--) {
    r = (r << 1) | (n >> 31);
    n <<= 1;
    q <<= 1;
    if (r >= d) {
      r -= d;
      q |= 1u;
    }
  }
  *rem = r;
  return q;
}

uint16_t __mspabi_divu(uint16_t n, uint16_t d) {
  uint32_t rem;
  return (uint16_t)udivmod32(n, d, &rem);
}

uint16_t __mspabi_remu(uint16_t n, uint16_t d) {
  uint32_t rem;
  udivmod32(n, d, &rem);
  return (uint16_t)rem;
}

uint32_t __mspabi_divul(uint32_t n, uint32_t d) {
  uint32_t rem;
  return udivmod32(n, d, &rem);
}

uint32_t __mspabi_remul(uint32_t n, uint32_t d) {
  uint32_t rem;
  udivmod32(n, d, &rem);
  return rem;
}

/* C division truncates: the quotient is negative when the signs differ,
 * the remainder has the sign of the dividend. */
int32_t __mspabi_divli(int32_t n, int32_t d) {
  const uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  const uint32_t ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
  uint32_t rem;
  const uint32_t q = udivmod32(un, ud, &rem);
  return (int32_t)(((n < 0) != (d < 0)) ? 0u - q : q);
}

int32_t __mspabi_remli(int32_t n, int32_t d) {
  const uint32_t un = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  const uint32_t ud = d < 0 ? 0u - (uint32_t)d : (uint32_t)d;
  uint32_t rem;
  udivmod32(un, ud, &rem);
  return (int32_t)(n < 0 ? 0u - rem : rem);
}

int16_t __mspabi_divi(int16_t n, int16_t d) {
  return (int16_t)__mspabi_divli(n, d);
}

int16_t __mspabi_remi(int16_t n, int16_t d) {
  return (int16_t)__mspabi_remli(n, d);
}

/* 64-bit shifts on two 32-bit halves, one bit at a time. */
int64_t __ashldi3(int64_t a, int16_t b) {
  uint32_t lo = (uint32_t)(uint64_t)a, hi = (uint32_t)((uint64_t)a >> 32);
  while (b-- > 0) {
    hi = (hi << 1) | (lo >> 31);
    lo <<= 1;
  }
  return (int64_t)(((uint64_t)hi << 32) | lo);
}

int64_t __ashrdi3(int64_t a, int16_t b) {
  uint32_t lo = (uint32_t)(uint64_t)a, hi = (uint32_t)((uint64_t)a >> 32);
  const uint32_t sign = hi & 0x80000000u;
  while (b-- > 0) {
    lo = (lo >> 1) | (hi << 31);
    hi = (hi >> 1) | sign;
  }
  return (int64_t)(((uint64_t)hi << 32) | lo);
}
