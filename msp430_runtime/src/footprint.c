/* Encoding of the footprint record; see iprune/footprint.h. */
#include "iprune/footprint.h"

static uint16_t check12(uint16_t w0, uint16_t w1, uint16_t w2) {
  /* Rotations keep a change in one word from cancelling one in another. */
  const uint16_t r1 = (uint16_t)((w1 << 5) | (w1 >> 11));
  const uint16_t r2 = (uint16_t)((w2 << 11) | (w2 >> 5));
  return (uint16_t)((w0 ^ r1 ^ r2 ^ 0x5A5u) & 0xFFFu);
}

void iprune_footprint_encode(const iprune_footprint_t *fp, int16_t rec[4]) {
  const uint16_t version = fp->version & 0xFu;
  const uint16_t w0 = (uint16_t)((fp->layer << 4) | version);
  const uint16_t w1 = (uint16_t)(fp->counter & 0xFFFFu);
  const uint16_t w2 = (uint16_t)(fp->counter >> 16);
  rec[0] = (int16_t)w0;
  rec[1] = (int16_t)w1;
  rec[2] = (int16_t)w2;
  rec[3] = (int16_t)((version << 12) | check12(w0, w1, w2));
}

int iprune_footprint_decode(const int16_t rec[4], iprune_footprint_t *fp) {
  const uint16_t w0 = (uint16_t)rec[0], w1 = (uint16_t)rec[1];
  const uint16_t w2 = (uint16_t)rec[2], w3 = (uint16_t)rec[3];
  if ((w0 & 0xFu) != (w3 >> 12) || (w3 & 0xFFFu) != check12(w0, w1, w2)) {
    return 0;
  }
  fp->layer = (uint16_t)(w0 >> 4);
  fp->counter = ((uint32_t)w2 << 16) | w1;
  fp->version = (uint8_t)(w0 & 0xFu);
  return 1;
}

uint8_t iprune_footprint_last_version(const int16_t rec[4]) {
  return (uint8_t)((uint16_t)rec[3] >> 12);
}
