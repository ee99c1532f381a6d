/* CRC-32 (IEEE 802.3, as zlib.crc32). */
#include "model_loader.h"

uint32_t sim_crc32(const uint8_t *data, size_t n) {
  static uint32_t table[256];
  static int ready = 0;
  uint32_t crc = 0xFFFFFFFFu;
  size_t i;
  if (!ready) {
    uint32_t k, b;
    for (k = 0; k < 256; k++) {
      uint32_t c = k;
      for (b = 0; b < 8; b++) {
        c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      }
      table[k] = c;
    }
    ready = 1;
  }
  for (i = 0; i < n; i++) {
    crc = table[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  }
  return crc ^ 0xFFFFFFFFu;
}
