/* The job loop of accelerator layers (conv, depthwise, dense).
 *
 * docs/design.md, "conv, depthwise, dense". First the bias jobs of the
 * groups with no non-zero block. Then, input slices j outer (a kernel
 * position and input-channel chunk), spatial tiles, and the slice's
 * non-zero blocks (g, j) in ascending group: the input tile is fetched once
 * per slice and tile and shared by the slice's blocks; each block is one
 * job: weight block in, bias (the group's first block) or partial sums in,
 * one LEA operation, partial sums (buffer order % 2) or, after the group's
 * last block, final outputs out, commit. A job reads only buffers it does
 * not write, so re-executing an interrupted job is safe.
 *
 * The job counter (committed outputs) maps back to (bias job | slice, tile,
 * block) through the layer's metadata: blocks per group and output channels
 * per slice.
 */
#include <string.h>

#include "iprune/engine.h"
#include "iprune/hal.h"
#include "iprune/kernels.h"
#include "iprune/q15.h"

typedef void (*accel_kernel_t)(const iprune_layer_t *, const int16_t *,
                               uint16_t, uint16_t, uint32_t, uint16_t, int,
                               const iprune_lea_operands_t *);

typedef struct {
  iprune_ctx_t *ctx;
  const iprune_layer_t *layer;
  uint16_t index;
  const int16_t *input;
  int16_t *output;
  uint16_t channels; /* M */
  uint32_t pixels;   /* P */
  uint32_t n_tiles;
  iprune_lea_operands_t ops;
  accel_kernel_t kernel;
  uint32_t counter; /* Outputs committed. */
} layer_run_t;

static uint16_t group_channels(const layer_run_t *r, uint16_t g) {
  const uint16_t tile_m = r->layer->tile_m;
  const uint16_t rest = (uint16_t)(r->channels - g * tile_m);
  return rest < tile_m ? rest : tile_m;
}

static uint16_t tile_positions(const layer_run_t *r, uint32_t t) {
  const uint32_t p0 = t * r->layer->tile_p;
  return (uint16_t)(r->pixels - p0 < r->layer->tile_p ? r->pixels - p0
                                                       : r->layer->tile_p);
}

static int16_t *psum(const layer_run_t *r, uint32_t buffer, uint16_t g,
                     uint32_t p0, uint16_t m_g) {
  return r->ctx->state + IPRUNE_PSUM_OFFSET(r->ctx->model, buffer) +
         (uint32_t)g * r->layer->tile_m * r->pixels + p0 * m_g;
}

/* Writes a finished tile (n_t positions x m_g channels) of group g into the
 * (H, W, C) output: contiguous when there is one group or one position. */
static void write_final(const layer_run_t *r, uint16_t g, uint32_t p0,
                        uint16_t n_t, uint16_t m_g, const int16_t *vals) {
  const uint16_t M = r->channels;
  int16_t *dst = r->output + p0 * M + (uint32_t)g * r->layer->tile_m;
  uint16_t i;
  if (r->layer->n_groups == 1 || n_t == 1) {
    iprune_hal_nvm_write(dst, vals, (uint16_t)(n_t * m_g));
    return;
  }
  for (i = 0; i < n_t; i++) {
    iprune_hal_nvm_write(dst + (uint32_t)i * M, vals + (uint32_t)i * m_g,
                         m_g);
  }
}

static void commit(layer_run_t *r, uint32_t outputs) {
  r->counter += outputs;
  iprune_commit(r->ctx, r->index, r->counter);
}

/* Bias jobs of the empty groups, from job counter `skip` on. */
static void bias_jobs(layer_run_t *r, uint32_t skip) {
  const iprune_layer_t *l = r->layer;
  const int relu = l->activation == IPRUNE_ACT_RELU;
  uint16_t g;
  for (g = 0; g < l->n_groups; g++) {
    const uint16_t m_g = group_channels(r, g);
    const uint32_t outputs = (uint32_t)m_g * r->pixels;
    uint32_t t;
    if (l->group_blocks[g] != 0) continue;
    if (skip >= outputs) {
      skip -= outputs;
      continue;
    }
    iprune_hal_nvm_read(r->ctx->bias, l->bias + (uint32_t)g * l->tile_m, m_g);
    for (t = skip / ((uint32_t)m_g * l->tile_p); t < r->n_tiles; t++) {
      const uint16_t n_t = tile_positions(r, t);
      int16_t *dst = r->ctx->scratch;
      uint16_t p, c;
      for (p = 0; p < n_t; p++) {
        for (c = 0; c < m_g; c++) {
          const int16_t b = r->ctx->bias[c];
          *dst++ = (relu && b < 0) ? 0 : b;
        }
      }
      iprune_hal_cpu(IPRUNE_CPU_MAX, (uint32_t)n_t * m_g);
      write_final(r, g, t * l->tile_p, n_t, m_g, r->ctx->scratch);
      commit(r, (uint32_t)n_t * m_g);
    }
    skip = 0;
  }
}

/* One block job: block b of the slice (group g, order) on tile t. */
static void block_job(layer_run_t *r, uint32_t block, uint16_t g,
                      uint16_t order, int last, uint16_t slice, uint32_t t,
                      int fetch) {
  const iprune_layer_t *l = r->layer;
  iprune_ctx_t *ctx = r->ctx;
  const uint16_t m_g = group_channels(r, g);
  const uint32_t p0 = t * l->tile_p;
  const uint16_t n_t = tile_positions(r, t);
  const uint16_t n_out = (uint16_t)(n_t * m_g);
  const int relu = l->activation == IPRUNE_ACT_RELU;
  int16_t *prev = ctx->scratch;
  uint16_t p, c;
  iprune_hal_nvm_read(r->ops.w, l->weights + block * l->block_words,
                      l->block_words);
  if (l->kind == IPRUNE_DEPTHWISE) {
    /* The LEA multiplies element-wise: one weight row per position. */
    for (p = 1; p < n_t; p++) {
      memcpy(r->ops.w + (uint32_t)p * l->tile_m, r->ops.w,
             l->tile_m * sizeof(int16_t));
    }
  }
  if (order == 0) {
#ifdef IPRUNE_TEST_MUTANT_STALE_VM
    /* Test-only defect (make mutant): trusts a bias that an earlier power
     * cycle left in VM; the failure tests must catch it. */
    static uint32_t cached = 0xFFFFFFFFu;
    if (cached != ((uint32_t)r->index << 16 | g)) {
      iprune_hal_nvm_read(ctx->bias, l->bias + (uint32_t)g * l->tile_m, m_g);
    }
    cached = (uint32_t)r->index << 16 | g;
#else
    iprune_hal_nvm_read(ctx->bias, l->bias + (uint32_t)g * l->tile_m, m_g);
#endif
    for (p = 0; p < n_t; p++) {
      memcpy(prev + (uint32_t)p * m_g, ctx->bias, m_g * sizeof(int16_t));
    }
  } else {
    iprune_hal_nvm_read(prev, psum(r, (order - 1u) & 1u, g, p0, m_g), n_out);
  }
  r->kernel(l, r->input, g, slice, p0, n_t, fetch, &r->ops);
  for (p = 0; p < n_t; p++) {
    const int16_t *res = r->ops.out + (uint32_t)p * l->tile_m;
    int16_t *o = prev + (uint32_t)p * m_g;
    for (c = 0; c < m_g; c++) {
      int16_t v = iprune_sat16((int32_t)o[c] + res[c]);
      if (last && relu && v < 0) v = 0;
      o[c] = v;
    }
  }
  iprune_hal_cpu(IPRUNE_CPU_ADD, n_out);
  iprune_hal_cpu(IPRUNE_CPU_MAX, n_out);
  if (last) {
    write_final(r, g, p0, n_t, m_g, prev);
  } else {
    iprune_hal_nvm_write(psum(r, order & 1u, g, p0, m_g), prev, n_out);
  }
  commit(r, n_out);
}

/* The slices, from job counter `skip` (past the bias jobs) on. */
static void slice_jobs(layer_run_t *r, uint32_t skip) {
  const iprune_layer_t *l = r->layer;
  const int bsr = (l->flags & IPRUNE_FLAG_BSR) != 0;
  uint16_t j;
  for (j = 0; j < l->n_cols; j++) {
    const uint32_t channels = l->slice_channels[j + 1] - l->slice_channels[j];
    uint32_t first = (uint32_t)j * l->n_groups, n_blocks = l->n_groups;
    uint32_t t;
    if (channels == 0) continue;
    if (skip >= channels * r->pixels) {
      skip -= channels * r->pixels;
      continue;
    }
    if (bsr) {
      uint16_t rp[2];
      iprune_hal_nvm_read(rp, l->row_ptr + j, 2);
      first = rp[0];
      n_blocks = (uint32_t)rp[1] - rp[0];
      iprune_hal_nvm_read(r->ctx->pairs, l->pairs + 2u * first,
                          (uint16_t)(2u * n_blocks));
    }
    t = skip / (channels * l->tile_p);
    skip -= t * channels * l->tile_p; /* Now within tile t. */
    for (; t < r->n_tiles; t++) {
      const uint16_t n_t = tile_positions(r, t);
      uint32_t b;
      int fetch = 1;
      for (b = 0; b < n_blocks; b++) {
        const uint16_t g = bsr ? r->ctx->pairs[2u * b] : (uint16_t)b;
        const uint16_t word = bsr ? r->ctx->pairs[2u * b + 1u] : 0u;
        const uint16_t order =
            bsr ? (uint16_t)(word & IPRUNE_ORDER_MASK) : j;
        const int last = bsr ? (word & IPRUNE_LAST_BLOCK) != 0
                             : j + 1u == l->n_cols;
        const uint32_t outputs = (uint32_t)group_channels(r, g) * n_t;
        if (skip >= outputs) { /* Committed before the power failure. */
          skip -= outputs;
          continue;
        }
        block_job(r, first + b, g, order, last, j, t, fetch);
        fetch = 0;
      }
    }
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
  const int depthwise = l->kind == IPRUNE_DEPTHWISE;
  layer_run_t r;
  uint32_t bias_outputs = 0;
  uint16_t g;
  r.ctx = ctx;
  r.layer = l;
  r.index = li;
  r.input = iprune_tensor_nvm(ctx, l->inputs[0]);
  r.output = iprune_tensor_nvm(ctx, l->output);
  r.channels = m->tensors[l->output].c;
  r.pixels = iprune_out_pixels(m, l);
  r.n_tiles = (r.pixels + l->tile_p - 1u) / l->tile_p;
  r.kernel = kernel_of(l->kind);
  r.counter = counter;
  r.ops.in = ctx->lea;
  r.ops.w = r.ops.in + (uint32_t)l->tile_p *
                           (depthwise ? l->tile_m : l->tile_n);
  r.ops.out = r.ops.w + (depthwise ? (uint32_t)l->tile_p * l->tile_m
                                   : (uint32_t)l->tile_n * l->tile_m);
  for (g = 0; g < l->n_groups; g++) {
    if (l->group_blocks[g] == 0) {
      bias_outputs += (uint32_t)group_channels(&r, g) * r.pixels;
    }
  }
  if (counter < bias_outputs) {
    bias_jobs(&r, counter);
    counter = bias_outputs;
  }
  slice_jobs(&r, counter - bias_outputs);
}
