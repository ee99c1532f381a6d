/* Reads test-vector files (IPTV, version 1). */
#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_loader.h"

#define VECTORS_HEADER_BYTES 40u

static uint32_t u32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
         (uint32_t)b[3] << 24;
}

int sim_load_vectors(const char *path, sim_vectors_t *v, char *err,
                     size_t err_size) {
  FILE *f = fopen(path, "rb");
  long size;
  uint32_t flags;
  uint64_t expect;
  size_t off = VECTORS_HEADER_BYTES;
  memset(v, 0, sizeof(*v));
  if (f == NULL) {
    snprintf(err, err_size, "%s: cannot open the test-vector file.", path);
    return -1;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0 ||
      (v->raw = malloc(size > 0 ? (size_t)size : 1u)) == NULL ||
      fread(v->raw, 1, (size_t)size, f) != (size_t)size) {
    fclose(f);
    snprintf(err, err_size, "%s: cannot read the test-vector file.", path);
    sim_free_vectors(v);
    return -1;
  }
  fclose(f);
  if ((size_t)size < VECTORS_HEADER_BYTES || memcmp(v->raw, "IPTV", 4)) {
    snprintf(err, err_size, "%s: not a test-vector file (magic 'IPTV').",
             path);
  } else if (v->raw[4] != 1 || v->raw[5] != 0 ||
             v->raw[6] != VECTORS_HEADER_BYTES || v->raw[7] != 0) {
    snprintf(err, err_size, "%s: test-vector version %u is not supported "
             "(expected 1).", path, (unsigned)(v->raw[4] | v->raw[5] << 8));
  } else if (u32(v->raw + 8) != (uint32_t)size) {
    snprintf(err, err_size, "%s: truncated or padded: the header says %u "
             "bytes, the file has %ld.", path, (unsigned)u32(v->raw + 8),
             size);
  } else if (sim_crc32(v->raw + 16, (size_t)size - 16) != u32(v->raw + 12)) {
    snprintf(err, err_size, "%s: checksum mismatch: the file is corrupt.",
             path);
  } else {
    v->count = u32(v->raw + 16);
    v->input_words = u32(v->raw + 20);
    v->output_words = u32(v->raw + 24);
    flags = u32(v->raw + 28);
    v->input_exponent = (int16_t)(v->raw[32] | v->raw[33] << 8);
    v->output_exponent = (int16_t)(v->raw[34] | v->raw[35] << 8);
    expect = (uint64_t)v->count * v->input_words * 2u +
             ((flags & 1u) ? (uint64_t)v->count * v->output_words * 2u : 0) +
             ((flags & 2u) ? (uint64_t)v->count * 4u : 0);
    if (v->count == 0 || (flags & ~3u) ||
        expect != (uint64_t)size - VECTORS_HEADER_BYTES) {
      snprintf(err, err_size, "%s: counts or flags do not match the file "
               "size.", path);
    } else {
      /* Arrays are copied out: the file gives no alignment guarantee. */
      const size_t in_bytes = (size_t)v->count * v->input_words * 2u;
      v->inputs = malloc(in_bytes ? in_bytes : 1u);
      if (v->inputs) memcpy(v->inputs, v->raw + off, in_bytes);
      off += in_bytes;
      if (flags & 1u) {
        const size_t out_bytes = (size_t)v->count * v->output_words * 2u;
        v->expected = malloc(out_bytes ? out_bytes : 1u);
        if (v->expected) memcpy(v->expected, v->raw + off, out_bytes);
        off += out_bytes;
      }
      if (flags & 2u) {
        v->labels = malloc((size_t)v->count * 4u);
        if (v->labels) memcpy(v->labels, v->raw + off, (size_t)v->count * 4u);
      }
      if (v->inputs && (!(flags & 1u) || v->expected) &&
          (!(flags & 2u) || v->labels)) {
        return 0;
      }
      snprintf(err, err_size, "%s: out of memory.", path);
    }
  }
  sim_free_vectors(v);
  return -1;
}

void sim_free_vectors(sim_vectors_t *v) {
  free(v->inputs);
  free(v->expected);
  free(v->labels);
  free(v->raw);
  memset(v, 0, sizeof(*v));
}
