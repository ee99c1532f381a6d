/* The progress indicator record (docs/runtime.md, "Footprints").
 *
 * Four words, written in ascending byte order:
 *   w0 = layer << 4 | version   (version: 4 bits, +1 per write to a slot)
 *   w1 = counter & 0xFFFF, w2 = counter >> 16
 *   w3 = version << 12 | check(w0, w1, w2)
 * The first byte written carries the new version and the last byte written
 * the version again, and a slot's next version differs from the version of
 * its last complete record, so a write torn at any byte leaves the two
 * disagreeing: a torn record is never valid.
 */
#ifndef IPRUNE_FOOTPRINT_H_
#define IPRUNE_FOOTPRINT_H_

#include <stdint.h>

#define IPRUNE_FOOTPRINT_MAX_LAYERS 4096

typedef struct {
  uint16_t layer;
  uint32_t counter;
  uint8_t version;
} iprune_footprint_t;

void iprune_footprint_encode(const iprune_footprint_t *fp, int16_t rec[4]);

/* Returns 1 and fills *fp if `rec` is a complete record, else 0. */
int iprune_footprint_decode(const int16_t rec[4], iprune_footprint_t *fp);

/* Version of the last record written completely to a slot holding `rec`. */
uint8_t iprune_footprint_last_version(const int16_t rec[4]);

#endif /* IPRUNE_FOOTPRINT_H_ */
