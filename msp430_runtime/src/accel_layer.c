/* The job loop of accelerator layers (conv, depthwise, dense).
 *
 * docs/design.md, "conv, depthwise, dense": for each filter group g, read
 * its bias (and BSR row pointers); for each non-zero block k in ascending
 * column, read the block; for each spatial tile, one job: the op's kernel
 * fetches the input tile and runs one LEA operation, the CPU adds the bias
 * (k = 0) or the partial sums of block k - 1 read from NVM, and the outputs
 * go to partial-sum buffer k % 2 or, after the group's last block, to the
 * output tensor; then the footprint is committed. A job reads only buffers
 * it does not write, so re-executing an interrupted job is safe.
 */
#include <string.h>

#include "iprune/engine.h"
#include "iprune/hal.h"
#include "iprune/kernels.h"
#include "iprune/q15.h"

typedef void (*accel_kernel_t)(const iprune_layer_t *, const int16_t *,
                               uint16_t, uint16_t, uint32_t, uint16_t,
                               const iprune_lea_operands_t *);

/* Where a job counter falls: group, block pass within it, spatial tile. */
typedef struct {
  uint16_t group;
  uint32_t pass;
  uint32_t tile;
} job_pos_t;

typedef struct {
  const iprune_layer_t *layer;
  uint16_t channels; /* M */
  uint32_t pixels;   /* P */
  uint32_t n_tiles;
  int bsr;
} layer_geom_t;

static uint16_t group_channels(const layer_geom_t *geo, uint16_t g) {
  const uint16_t tile_m = geo->layer->tile_m;
  const uint16_t rest = (uint16_t)(geo->channels - g * tile_m);
  return rest < tile_m ? rest : tile_m;
}

/* Maps a job counter back to (group, pass, tile). BSR layers need the
 * non-zero blocks per group: the row pointers are read in chunks that fit
 * the scratch buffer. */
static job_pos_t locate(iprune_ctx_t *ctx, const layer_geom_t *geo,
                        uint32_t counter) {
  const iprune_layer_t *l = geo->layer;
  job_pos_t pos = {0, 0, 0};
  uint16_t base = 0, have = 0;
  uint16_t g;
  if (counter == 0) {
    return pos;
  }
  for (g = 0; g < l->n_groups; g++) {
    const uint32_t per_pass = (uint32_t)group_channels(geo, g) * geo->pixels;
    uint32_t passes = l->n_cols;
    if (geo->bsr) {
      const uint16_t *rp = (const uint16_t *)ctx->scratch;
      if (g + 1u >= (uint32_t)base + have) {
        const uint32_t left = (uint32_t)l->n_groups + 1u - g;
        base = g;
        have = (uint16_t)(left < ctx->scratch_words ? left
                                                    : ctx->scratch_words);
        iprune_hal_nvm_read(ctx->scratch, l->row_ptr + g, have);
      }
      passes = (uint32_t)rp[g + 1 - base] - rp[g - base];
    }
    if (passes == 0) {
      passes = 1;
    }
    if (counter < per_pass * passes) {
      pos.group = g;
      pos.pass = counter / per_pass;
      pos.tile = (counter % per_pass) /
                 ((uint32_t)group_channels(geo, g) * l->tile_p);
      return pos;
    }
    counter -= per_pass * passes;
  }
  pos.group = l->n_groups;
  return pos;
}

/* Writes a finished tile (n_t positions x m_g channels) of group g into the
 * (H, W, C) output: contiguous when there is one group or one position. */
static void write_final(const layer_geom_t *geo, int16_t *output, uint16_t g,
                        uint32_t p0, uint16_t n_t, uint16_t m_g,
                        const int16_t *vals) {
  const uint16_t M = geo->channels;
  int16_t *dst = output + p0 * M + (uint32_t)g * geo->layer->tile_m;
  uint16_t i;
  if (geo->layer->n_groups == 1 || n_t == 1) {
    iprune_hal_nvm_write(dst, vals, (uint16_t)(n_t * m_g));
    return;
  }
  for (i = 0; i < n_t; i++) {
    iprune_hal_nvm_write(dst + (uint32_t)i * M, vals + (uint32_t)i * m_g,
                         m_g);
  }
}

static accel_kernel_t kernel_of(uint8_t kind) {
  switch (kind) {
    case IPRUNE_CONV:
      return iprune_conv;
    case IPRUNE_DEPTHWISE:
      return iprune_depthwise_conv;
    default:
      return iprune_fully_connected;
  }
}

void iprune_accel_layer(iprune_ctx_t *ctx, uint16_t li, uint32_t counter) {
  const iprune_model_t *m = ctx->model;
  const iprune_layer_t *l = &m->layers[li];
  const int16_t *input = iprune_tensor_nvm(ctx, l->inputs[0]);
  int16_t *output = iprune_tensor_nvm(ctx, l->output);
  const accel_kernel_t kernel = kernel_of(l->kind);
  const int depthwise = l->kind == IPRUNE_DEPTHWISE;
  const uint16_t in_cols = depthwise ? l->tile_m : l->tile_n;
  const uint16_t relu = l->activation == IPRUNE_ACT_RELU;
  layer_geom_t geo;
  iprune_lea_operands_t ops;
  job_pos_t pos;
  uint16_t g;
  geo.layer = l;
  geo.channels = m->tensors[l->output].c;
  geo.pixels = iprune_out_pixels(m, l);
  geo.n_tiles = (geo.pixels + l->tile_p - 1u) / l->tile_p;
  geo.bsr = (l->flags & IPRUNE_FLAG_BSR) != 0;
  ops.in = ctx->lea;
  ops.w = ops.in + (uint32_t)l->tile_p * in_cols;
  ops.out = ops.w + (depthwise ? (uint32_t)l->tile_p * l->tile_m
                               : (uint32_t)l->tile_n * l->tile_m);
  pos = locate(ctx, &geo, counter);
  for (g = pos.group; g < l->n_groups; g++) {
    const uint16_t m_g = group_channels(&geo, g);
    uint32_t first = (uint32_t)g * l->n_cols;
    uint32_t nnzb = l->n_cols;
    uint32_t k;
    uint32_t t;
    iprune_hal_nvm_read(ctx->bias, l->bias + (uint32_t)g * l->tile_m, m_g);
    if (geo.bsr) {
      uint16_t rp[2];
      iprune_hal_nvm_read(rp, l->row_ptr + g, 2);
      first = rp[0];
      nnzb = (uint32_t)rp[1] - rp[0];
    }
    if (nnzb == 0) {
      /* An empty group outputs act(bias). */
      for (t = pos.tile; t < geo.n_tiles; t++) {
        const uint32_t p0 = t * l->tile_p;
        const uint16_t n_t = (uint16_t)(geo.pixels - p0 < l->tile_p
                                            ? geo.pixels - p0
                                            : l->tile_p);
        int16_t *dst = ctx->scratch;
        uint16_t p, c;
        for (p = 0; p < n_t; p++) {
          for (c = 0; c < m_g; c++) {
            const int16_t b = ctx->bias[c];
            *dst++ = (relu && b < 0) ? 0 : b;
          }
        }
        iprune_hal_cpu(IPRUNE_CPU_MAX, (uint32_t)n_t * m_g);
        write_final(&geo, output, g, p0, n_t, m_g, ctx->scratch);
        counter += (uint32_t)n_t * m_g;
        iprune_commit(ctx, li, counter);
      }
    }
    for (k = pos.pass; k < nnzb; k++) {
      const int last = k + 1 == nnzb;
      uint16_t col = (uint16_t)k;
      if (geo.bsr) {
        iprune_hal_nvm_read(&col, l->col_idx + first + k, 1);
      }
      iprune_hal_nvm_read(ops.w, l->weights + (first + k) * l->block_words,
                          l->block_words);
      if (depthwise) {
        /* The LEA multiplies element-wise: one weight row per position. */
        uint16_t r;
        for (r = 1; r < l->tile_p; r++) {
          memcpy(ops.w + (uint32_t)r * l->tile_m, ops.w,
                 l->tile_m * sizeof(int16_t));
        }
      }
      for (t = pos.tile; t < geo.n_tiles; t++) {
        const uint32_t p0 = t * l->tile_p;
        const uint16_t n_t = (uint16_t)(geo.pixels - p0 < l->tile_p
                                            ? geo.pixels - p0
                                            : l->tile_p);
        const uint32_t n_out = (uint32_t)n_t * m_g;
        int16_t *prev = ctx->scratch;
        uint16_t p, c;
        kernel(l, input, g, col, p0, n_t, &ops);
        if (k == 0) {
          for (p = 0; p < n_t; p++) {
            memcpy(prev + (uint32_t)p * m_g, ctx->bias,
                   m_g * sizeof(int16_t));
          }
        } else {
          iprune_hal_nvm_read(
              prev, ctx->state + IPRUNE_PSUM_OFFSET(m, (k - 1) & 1u) + p0 * m_g,
              (uint16_t)n_out);
        }
        for (p = 0; p < n_t; p++) {
          const int16_t *r = ops.out + (uint32_t)p * l->tile_m;
          int16_t *o = prev + (uint32_t)p * m_g;
          for (c = 0; c < m_g; c++) {
            int16_t v = iprune_sat16((int32_t)o[c] + r[c]);
            if (last && relu && v < 0) {
              v = 0;
            }
            o[c] = v;
          }
        }
        iprune_hal_cpu(IPRUNE_CPU_ADD, n_out);
        iprune_hal_cpu(IPRUNE_CPU_MAX, n_out);
        if (last) {
          write_final(&geo, output, g, p0, n_t, m_g, prev);
        } else {
          iprune_hal_nvm_write(
              ctx->state + IPRUNE_PSUM_OFFSET(m, k & 1u) + p0 * m_g, prev,
              (uint16_t)n_out);
        }
        counter += n_out;
        iprune_commit(ctx, li, counter);
      }
      pos.tile = 0;
    }
    pos.pass = 0;
    pos.tile = 0;
  }
}
