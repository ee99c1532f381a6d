/* The HAL of the MSP430FR5994 build.
 *
 * NVM is FRAM: the model's constants (model.c) and the runtime's state
 * array (section .persistent, defined by the application with the model's
 * size as `iprune_nvm_state`). VM is SRAM: the engine's arena in .bss and
 * the LEA RAM at 0x2C00. Transfers are CPU copies (the FR5994's DMA
 * controller would do them on the device; mspdebug's simulator has none).
 * The LEA operations use TI DSPLib when built with IPRUNE_USE_DSPLIB
 * (DSPLIB_ROOT), else the C fallback with the same Q15 semantics. Costs and
 * counters are the host simulator's business: no-ops here.
 */
#include <string.h>

#include "iprune/hal.h"
#include "lea_c.h"

#ifdef IPRUNE_USE_DSPLIB
#include "DSPLib.h"
#include "iprune/q15.h"
#endif

#define IPRUNE_MSP430_VM_BYTES 2560u
#define IPRUNE_MSP430_LEA_WORDS 2048u

extern int16_t iprune_nvm_state[];

static uint16_t vm_arena[IPRUNE_MSP430_VM_BYTES / 2u];
static int16_t lea_ram[IPRUNE_MSP430_LEA_WORDS]
    __attribute__((section(".leaRAM")));

int16_t *iprune_hal_nvm_state(void) { return iprune_nvm_state; }

void *iprune_hal_vm(uint32_t *bytes) {
  *bytes = IPRUNE_MSP430_VM_BYTES;
  return vm_arena;
}

int16_t *iprune_hal_lea_ram(uint16_t *words) {
  *words = IPRUNE_MSP430_LEA_WORDS;
  return lea_ram;
}

void iprune_hal_nvm_read(void *vm_dst, const void *nvm_src, uint16_t words) {
  memcpy(vm_dst, nvm_src, (size_t)words * 2u);
}

void iprune_hal_nvm_write(void *nvm_dst, const void *vm_src, uint16_t words) {
  memcpy(nvm_dst, vm_src, (size_t)words * 2u);
}

#ifdef IPRUNE_USE_DSPLIB
/* One LEA dot product (msp_mac_q15, Q31 result = 2 x the sum of products,
 * saturated at 32 bits); returns 0 where the LEA cannot give the exact
 * 64-bit sum (odd length, saturation), so the caller falls back to C. */
static int lea_dot(const int16_t *a, const int16_t *b, uint16_t n,
                   int64_t *acc) {
  msp_mac_q15_params params;
  _iq31 result;
  if (n & 1u) return 0;
  params.length = n;
  if (msp_mac_q15(&params, a, b, &result) != MSP_SUCCESS ||
      result == INT32_MAX || result == INT32_MIN) {
    return 0;
  }
  *acc = (int64_t)result >> 1;
  return 1;
}
#endif

void iprune_hal_lea_matmul(const int16_t *a, const int16_t *b, int16_t *out,
                           uint16_t rows, uint16_t inner, uint16_t cols,
                           int16_t shift) {
#ifdef IPRUNE_USE_DSPLIB
  /* A column of b is strided: the LEA path needs it contiguous, which only
   * a one-column block is; other shapes use the C fallback. */
  if (cols == 1) {
    uint16_t r;
    for (r = 0; r < rows; r++) {
      int64_t acc;
      if (!lea_dot(a + (uint32_t)r * inner, b, inner, &acc)) break;
      out[r] = iprune_sat16(iprune_rshift_round(acc, shift));
    }
    if (r == rows) return;
  }
#endif
  iprune_lea_c_matmul(a, b, out, rows, inner, cols, shift);
}

void iprune_hal_lea_mul(const int16_t *a, const int16_t *b, int16_t *out,
                        uint16_t n, int16_t shift) {
  iprune_lea_c_mul(a, b, out, n, shift);
}

void iprune_hal_cpu(iprune_cpu_op_t op, uint32_t count) {
  (void)op;
  (void)count;
}

void iprune_hal_layer(int16_t layer) { (void)layer; }

void iprune_hal_committed(uint16_t layer, uint32_t counter) {
  (void)layer;
  (void)counter;
}
