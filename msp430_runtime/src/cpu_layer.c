/* The job loop of CPU layers (pooling, add, concat, relu).
 *
 * Pooling: one job per output position and chunk of tile_m channels;
 * element-wise kinds: one job per tile_p consecutive positions
 * (docs/design.md, "CPU layers"). The job counter counts committed outputs
 * (position-major), so it names the next job; after a power failure the
 * interrupted job is re-executed.
 */
#include "iprune/engine.h"
#include "iprune/kernels.h"

void iprune_cpu_layer(iprune_ctx_t *ctx, uint16_t li, uint32_t counter) {
  const iprune_model_t *m = ctx->model;
  const iprune_layer_t *l = &m->layers[li];
  const uint32_t c_out = m->tensors[l->output].c;
  const uint32_t pixels = iprune_out_pixels(m, l);
  const int pooling = l->kind == IPRUNE_MAXPOOL ||
                      l->kind == IPRUNE_AVGPOOL || l->kind == IPRUNE_GAP;
  uint32_t p0;
  if (pooling) {
    /* LEA RAM: tile_m 32-bit sums, tile_m outputs, one window row. */
    int32_t *acc = (int32_t *)ctx->lea;
    int16_t *out = ctx->lea + 2u * l->tile_m;
    int16_t *row = out + l->tile_m;
    uint16_t c0 = (uint16_t)(counter % c_out);
    for (p0 = counter / c_out; p0 < pixels; p0++, c0 = 0) {
      for (; c0 < c_out; c0 = (uint16_t)(c0 + l->tile_m)) {
        const uint16_t n_c = (uint16_t)(c_out - c0 < l->tile_m ? c_out - c0
                                                               : l->tile_m);
        if (l->kind == IPRUNE_MAXPOOL) {
          iprune_max_pool(ctx, l, p0, c0, n_c, row, out);
        } else {
          iprune_avg_pool(ctx, l, p0, c0, n_c, row, out, acc);
        }
        iprune_commit(ctx, li, p0 * c_out + c0 + n_c);
      }
    }
    return;
  }
  for (p0 = counter / c_out; p0 < pixels; p0 += l->tile_p) {
    const uint16_t n = (uint16_t)(pixels - p0 < l->tile_p ? pixels - p0
                                                          : l->tile_p);
    if (l->kind == IPRUNE_ADD) {
      iprune_add(ctx, l, p0, n, ctx->lea);
    } else if (l->kind == IPRUNE_CONCAT) {
      iprune_concat(ctx, l, p0, n, ctx->lea);
    } else {
      iprune_relu(ctx, l, p0, n, ctx->lea);
    }
    iprune_commit(ctx, li, (p0 + n) * c_out);
  }
}
