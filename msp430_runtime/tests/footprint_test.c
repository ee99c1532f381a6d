/* The footprint record: round trip, and no torn write is ever valid. */
#include <stdio.h>
#include <string.h>

#include "iprune/footprint.h"

static int failures = 0;
#define CHECK(cond)                                                    \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
              #cond);                                                  \
      failures++;                                                      \
    }                                                                  \
  } while (0)

static void test_round_trip(void) {
  static const uint32_t counters[] = {0, 1, 65535, 65536, 0x12345678u,
                                      0xFFFFFFFFu};
  uint16_t layer;
  unsigned i;
  for (layer = 0; layer < IPRUNE_FOOTPRINT_MAX_LAYERS; layer += 97) {
    for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
      iprune_footprint_t in = {layer, counters[i], (uint8_t)(i + layer)};
      iprune_footprint_t out;
      int16_t rec[4];
      in.version &= 0xF;
      iprune_footprint_encode(&in, rec);
      CHECK(iprune_footprint_decode(rec, &out));
      CHECK(out.layer == in.layer && out.counter == in.counter &&
            out.version == in.version);
      CHECK(iprune_footprint_last_version(rec) == in.version);
    }
  }
}

static void test_erased_slot_is_invalid(void) {
  int16_t rec[4] = {0, 0, 0, 0};
  iprune_footprint_t fp;
  CHECK(!iprune_footprint_decode(rec, &fp));
  CHECK(iprune_footprint_last_version(rec) == 0);
}

/* Writes `next` over `old` byte by byte and checks every torn prefix. */
static void tear_all(const int16_t old[4], const iprune_footprint_t *next) {
  int16_t rec[4], torn[4];
  iprune_footprint_t fp;
  int k;
  iprune_footprint_encode(next, rec);
  for (k = 0; k < 8; k++) {
    memcpy(torn, old, sizeof(torn));
    memcpy(torn, rec, (size_t)k);
    if (k == 0) continue; /* Nothing written: the old record stays. */
    CHECK(!iprune_footprint_decode(torn, &fp));
    /* The slot's version is still that of its last complete record. */
    CHECK(iprune_footprint_last_version(torn) ==
          iprune_footprint_last_version(old));
  }
}

static void test_torn_writes_are_invalid(void) {
  /* Simulate a slot written many times, torn at every byte in between, as
   * the engine does: the version is the slot's last complete one + 1. */
  int16_t slot[4] = {0, 0, 0, 0};
  uint32_t step;
  for (step = 0; step < 5000; step++) {
    iprune_footprint_t next;
    next.layer = (uint16_t)((step * 7u) % IPRUNE_FOOTPRINT_MAX_LAYERS);
    next.counter = step * 2654435761u;
    next.version = (uint8_t)((iprune_footprint_last_version(slot) + 1) & 0xF);
    tear_all(slot, &next);
    /* A torn write leaves the next attempt's version unchanged. */
    iprune_footprint_encode(&next, slot);
  }
}

int main(void) {
  test_round_trip();
  test_erased_slot_is_invalid();
  test_torn_writes_are_invalid();
  if (failures) {
    fprintf(stderr, "footprint_test: %d failures\n", failures);
    return 1;
  }
  printf("footprint_test: ok\n");
  return 0;
}
