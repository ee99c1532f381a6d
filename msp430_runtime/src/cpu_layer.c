/* The job loop of CPU layers (pooling, add, concat, relu).
 *
 * Pooling: one job per output position; element-wise kinds: one job per
 * tile_p consecutive positions (docs/design.md, "CPU layers"). The job
 * counter counts committed outputs, so job j starts at counter j x C (x
 * tile_p); after a power failure the interrupted job is re-executed.
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
  const uint32_t tile = pooling ? 1u : l->tile_p;
  uint32_t p0;
  for (p0 = counter / c_out; p0 < pixels; p0 += tile) {
    const uint16_t n = (uint16_t)(pixels - p0 < tile ? pixels - p0 : tile);
    if (pooling) {
      /* LEA RAM: C 32-bit sums, C outputs, one window row. */
      int32_t *acc = (int32_t *)ctx->lea;
      int16_t *out = ctx->lea + 2u * c_out;
      int16_t *row = out + c_out;
      if (l->kind == IPRUNE_MAXPOOL) {
        iprune_max_pool(ctx, l, p0, row, out);
      } else {
        iprune_avg_pool(ctx, l, p0, row, out, acc);
      }
    } else if (l->kind == IPRUNE_ADD) {
      iprune_add(ctx, l, p0, n, ctx->lea);
    } else if (l->kind == IPRUNE_CONCAT) {
      iprune_concat(ctx, l, p0, n, ctx->lea);
    } else {
      iprune_relu(ctx, l, p0, n, ctx->lea);
    }
    counter = (p0 + n) * c_out;
    iprune_commit(ctx, li, counter);
  }
}
